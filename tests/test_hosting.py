"""The hosting party's commands (R-TEN-4): ``manage.py office add | list | suspend | resume |
export``. Offices here are served on host names under ``.example``."""

from __future__ import annotations

import io
import json

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts import services as accounts
from portal.accounts.models import Client, User
from portal.accounts.roles import Role
from portal.audit.models import AuditEntry
from portal.core import tenancy
from portal.documents import services as documents
from portal.dossiers import services as dossiers
from portal.integrations.models import WebhookDelivery, WebhookEndpoint
from portal.integrations.tasks import deliver_webhook
from portal.notifications.email import queue_email
from portal.notifications.models import OutgoingEmail
from portal.notifications.sms import send_sms
from portal.notifications.tasks import send_now
from portal.offices.models import DossierStatus, Office

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _first_office():
    """The test suite's own office (at testserver) exists before the hosting commands add
    others: it stays the first office, the one unscoped test code means."""
    return Office.current()


def office(*args: str) -> str:
    out = io.StringIO()
    call_command("office", *args, stdout=out)
    return out.getvalue()


def add(name: str, host: str, *more: str) -> Office:
    office("add", name, "--host", host, *more)
    with tenancy.cross_office():
        return Office.objects.get(hosts__name=host)


def fill(of: Office, number: str, content: bytes = b"inhoud") -> None:
    """A client with an account, a dossier granted to it and a published document."""
    with tenancy.office_scope(of):
        client = accounts.create_client(
            kind=Client.Kind.PERSON, name=f"Klant {number}", email=f"k{number}@x.example"
        )
        status = DossierStatus.objects.order_by("position").first()
        dossier = dossiers.create_dossier(number=number, description="Levering", status=status)
        dossiers.grant_access(dossier=dossier, client=client)
        documents.publish_document(
            dossier=dossier,
            kind="document",
            title=f"Akte {number}",
            file=ContentFile(content),
            name="akte.txt",
        )


def test_office_add_makes_hosts_statuses_and_invites_an_administrator_R_TEN_4(
    django_capture_on_commit_callbacks,
):
    """R-TEN-4: ``office add`` makes the office, its host names (the first the primary one), the
    dossier statuses a new office starts with, and an invited office administrator of that
    office only; the audit trail of the office records it. A host name is served once."""
    with django_capture_on_commit_callbacks(execute=True):
        linde = add(
            "Notariaat De Linde",
            "linde.example",
            "--host",
            "www.linde.example",
            "--admin-email",
            "beheer@linde.example",
            "--admin-name",
            "mr. A. Linde",
        )
    assert linde.name == "Notariaat De Linde"
    assert linde.primary_host == "linde.example"
    assert sorted(linde.hosts.values_list("name", flat=True)) == [
        "linde.example",
        "www.linde.example",
    ]
    with tenancy.office_scope(linde):
        assert DossierStatus.objects.count() == 5
        assert DossierStatus.objects.filter(in_progress=True).count() == 3
        admin = User.objects.get(email="beheer@linde.example")
        assert admin.is_staff and admin.staff_role == Role.ADMINISTRATOR
        assert not admin.has_usable_password()
        invitation = OutgoingEmail.objects.get(kind="invitation")
        assert invitation.to == "beheer@linde.example"
        assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
            "office.created",
            "account.added",
        }
    # Nothing of it in the first office.
    assert not User.objects.filter(email="beheer@linde.example").exists()
    assert not AuditEntry.objects.filter(action="office.created").exists()

    with pytest.raises(CommandError, match="linde.example"):
        office("add", "Ander kantoor", "--host", "linde.example")
    with pytest.raises(CommandError):
        office("add", "Ander kantoor", "--host", "Not A Host!")
    with tenancy.cross_office():
        assert Office.objects.filter(name="Ander kantoor").count() == 0


def test_office_list_shows_every_office_with_its_usage_R_TEN_4():
    """R-TEN-4: ``office list``: id, name, state, clients, dossiers, stored bytes and host
    names of every office, in a fixed number of queries however many offices there are."""
    linde = add("Notariaat De Linde", "linde.example")
    eik = add("Notariaat De Eik", "eik.example")
    fill(linde, "L1", b"x" * 1000)
    fill(linde, "L2", b"y" * 500)
    fill(eik, "E1", b"z" * 20)

    with CaptureQueriesContext(connection) as two:
        output = office("list")
    lines = {line.split()[0]: line for line in output.splitlines()[1:-1]}
    assert lines[str(linde.pk)].split()[-5:] == ["2", "2", "1.5", "KB", "linde.example"]
    assert "Notariaat De Linde" in lines[str(linde.pk)]
    assert lines[str(eik.pk)].split()[-5:] == ["1", "1", "20", "B", "eik.example"]
    assert "active" in lines[str(eik.pk)]

    fill(add("Notariaat De Beuk", "beuk.example"), "B1")
    add("Notariaat De Es", "es.example")
    with CaptureQueriesContext(connection) as four:
        output = office("list")
    assert "beuk.example" in output and "es.example" in output
    assert len(four.captured_queries) == len(two.captured_queries)


def test_suspend_answers_503_on_its_hosts_and_sends_nothing_resume_serves_again_R_TEN_4(
    client, settings, django_capture_on_commit_callbacks, tmp_path
):
    """R-TEN-4: a suspended office's every page says it is temporarily unavailable (503) on
    each of its host names, while another office serves as usual; its e-mails are held
    (pending), its SMS dropped and its webhooks not attempted. Resumed, it serves again and the
    held e-mail goes out."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "outbox"
    settings.SMS_DIR = tmp_path
    linde = add("Notariaat De Linde", "linde.example", "--host", "www.linde.example")
    add("Notariaat De Eik", "eik.example")
    with tenancy.office_scope(linde):
        person = User.objects.create_user("p@linde.example", full_name="P")
        endpoint = WebhookEndpoint.objects.create(office=linde, url="http://127.0.0.1:9/never")

    output = office("suspend", "linde.example")
    assert "suspended" in output
    assert "already" in office("suspend", str(linde.pk))
    for host in ("linde.example", "www.linde.example"):
        for path in ("/inloggen/", "/", "/dossiers/", "/api/v1/dossiers/"):
            response = client.get(path, HTTP_HOST=host)
            assert response.status_code == 503, (host, path)
    page = client.get("/inloggen/", HTTP_HOST="linde.example").content.decode()
    assert "tijdelijk niet beschikbaar" in page.lower()
    problem = client.get("/api/v1/dossiers/", HTTP_HOST="linde.example")
    assert problem["Content-Type"] == "application/problem+json"
    assert problem.json()["type"] == "urn:klantportaal:problem:unavailable"
    assert client.get("/inloggen/", HTTP_HOST="eik.example").status_code == 200

    with tenancy.office_scope(linde):
        held = queue_email(
            to_user=person, template="invitation", context={"link": "x", "hours": 72}
        )
        assert send_now(held.pk) is False  # held: still pending, sent once resumed
        held.refresh_from_db()
        assert held.sent_at is None and held.attempts == 0
        send_sms("+31612345678", "code 123456")  # dropped: a code is worthless later
        assert list(settings.SMS_DIR.glob("*.sms")) == []
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event="message.sent", payload={"id": "1"}
        )
        assert deliver_webhook.apply(args=[delivery.pk]).get() is False
        delivery.refresh_from_db()
        assert delivery.attempts == 0 and delivery.delivered_at is None
    assert mail.outbox == []

    assert "resumed" in office("resume", "www.linde.example")
    assert "not suspended" in office("resume", "linde.example")
    assert client.get("/inloggen/", HTTP_HOST="linde.example").status_code == 200
    with tenancy.office_scope(linde):
        assert send_now(held.pk) is True
        held.refresh_from_db()
        assert held.sent_at is not None
        assert list(
            AuditEntry.objects.filter(action__startswith="office.")
            .order_by("pk")
            .values_list("action", flat=True)
        ) == ["office.created", "office.suspended", "office.resumed"]
    assert len(mail.outbox) == 1
    with pytest.raises(CommandError, match="nergens.example"):
        office("suspend", "nergens.example")


def test_export_holds_that_office_rows_and_files_only_R_TEN_4(tmp_path):
    """R-TEN-4: ``office export`` writes the office's rows (the office, its hosts, its accounts,
    clients, dossiers, documents, statuses, audit trail ...) and its files, read in its scope,
    and nothing of another office."""
    linde = add("Notariaat De Linde", "linde.example")
    eik = add("Notariaat De Eik", "eik.example")
    fill(linde, "LINDE-1", b"linde-inhoud")
    fill(eik, "EIK-1", b"eik-inhoud")

    target = tmp_path / "export"
    output = office("export", "linde.example", "--output", str(target))
    assert "Exported office" in output

    rows = json.loads((target / "rows.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    models = {row["model"] for row in rows}
    assert {
        "offices.office",
        "offices.officehost",
        "offices.dossierstatus",
        "accounts.user",
        "accounts.client",
        "dossiers.dossier",
        "dossiers.dossieraccess",
        "documents.document",
        "audit.auditentry",
        "notifications.outgoingemail",
    } <= models
    for row in rows:
        if "office" in row["fields"]:
            assert row["fields"]["office"] == linde.pk, row
    (office_row,) = [row for row in rows if row["model"] == "offices.office"]
    assert office_row["pk"] == linde.pk
    text = (target / "rows.json").read_text()
    assert "LINDE-1" in text and "EIK-1" not in text and "eik.example" not in text
    assert manifest["office"] == {"id": linde.pk, "name": linde.name, "hosts": ["linde.example"]}
    assert manifest["rows"]["dossiers.dossier"] == 1
    files = [path for path in (target / "files").rglob("*") if path.is_file()]
    assert [path.read_bytes() for path in files] == [b"linde-inhoud"]
    assert list(manifest["files"]) == [str(files[0].relative_to(target / "files"))]

    with pytest.raises(CommandError, match="not empty"):
        office("export", str(linde.pk), "--output", str(target))


def test_a_backup_holds_the_files_of_every_office_R_TEN_4():
    """R-TEN-4: ``manage.py backup`` is the installation's, run with no office (as a command
    is): it finds the files of every office's documents."""
    from portal.documents.models import Document
    from portal.offices.backup import database_holds_data, referenced_files

    linde = add("Notariaat De Linde", "linde.example")
    eik = add("Notariaat De Eik", "eik.example")
    fill(linde, "L1")
    fill(eik, "E1")
    with tenancy.cross_office():
        names = set(Document.objects.values_list("file", flat=True))
    assert len(names) == 2
    with tenancy.no_office():
        assert referenced_files() >= names
        assert database_holds_data()
