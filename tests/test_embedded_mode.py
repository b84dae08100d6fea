"""The embedded mode: demo data (idempotent, through the services), the dev outbox where a
person trying the portal reads the e-mails, and the office logo (R-ACC-5)."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from portal.accounts.models import Client, User
from portal.audit.models import AuditEntry
from portal.dossiers import queries
from portal.dossiers.models import Dossier
from portal.messaging import services as message_services
from portal.notifications.models import OutgoingEmail
from portal.offices.models import Office

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def run_demo(django_capture_on_commit_callbacks) -> str:
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=out)
    return out.getvalue()


def test_demo_data_is_realistic_and_idempotent_R_HOME_2_R_DOS_1(
    settings, django_capture_on_commit_callbacks
):
    """R-HOME-2 / R-DOS-1 / R-ME-4 (model): the demo office has a person with several dossiers
    in different statuses, a person with exactly one, a company with an extra account; a second
    run changes nothing and prints the logins again."""
    settings.DEBUG = True
    output = run_demo(django_capture_on_commit_callbacks)
    assert "jan@demo.klantportaal.test" in output and "Demo-portaal1" in output
    counts = (Dossier.objects.count(), User.objects.count(), AuditEntry.objects.count())

    jan = User.objects.get(email="jan@demo.klantportaal.test")
    levering = Dossier.objects.visible_to(jan).get(number="2026.0142")
    assert sorted(levering.documents.values_list("kind", flat=True)) == [
        "correspondence",
        "document",  # the draft deed, to approve (R-SIG-4)
        "document",  # the power of attorney, to sign (R-SIG-5)
        "supplied",  # the passport copy Jan sent with his answer (R-MSG-7)
    ]
    # A conversation (R-MSG-1): office, Jan's answer with attachment, office; one unread.
    assert message_services.tab_counts(dossier=levering, user=jan) == {"total": 3, "unread": 1}
    assert queries.home_counts(jan) == {"total": 4, "in_progress": 2}
    assert len(queries.statuses_in_use(jan)) == 4
    sanne = User.objects.get(email="sanne@demo.klantportaal.test")
    assert Dossier.objects.visible_to(sanne).count() == 1
    company = Client.objects.get(kind=Client.Kind.COMPANY)
    extra = company.accounts.get(is_main_account=False)
    assert Dossier.objects.visible_to(extra).count() == 2
    # The invited-but-not-set-up client's e-mail is waiting in the outbox.
    assert OutgoingEmail.objects.filter(to="kees@demo.klantportaal.test", kind="invitation")

    again = run_demo(django_capture_on_commit_callbacks)
    assert "already present" in again and "jan@demo.klantportaal.test" in again
    assert (Dossier.objects.count(), User.objects.count(), AuditEntry.objects.count()) == counts


def test_demo_makes_two_offices_that_know_nothing_of_each_other_R_TEN_1_R_TEN_3(
    settings, django_capture_on_commit_callbacks
):
    """R-TEN-1, R-TEN-3, issue 18 item 7: the demo makes two offices, Van Dam & De Boer at
    localhost and Het Baken at 127.0.0.1, each with its own name, colours, clients, staff and
    printed logins with its address; a login of one office is unknown at the other's address.
    A second run finds both again and changes nothing."""
    from django.test import Client as HttpClient

    from portal.core import tenancy

    settings.DEBUG = True
    output = run_demo(django_capture_on_commit_callbacks)
    assert "Demo logins at http://localhost:8000/" in output
    assert "Demo logins at http://127.0.0.1:8000/" in output
    assert "fatima@hetbaken.klantportaal.test" in output
    van_dam, baken = Office.for_host("localhost"), Office.for_host("127.0.0.1")
    assert van_dam.pk == Office.current().pk != baken.pk  # the installation's first office
    assert (van_dam.name, baken.name) == ("Notariskantoor Van Dam & De Boer", "Notariaat Het Baken")
    assert van_dam.primary_colour != baken.primary_colour and baken.logo
    with tenancy.office_scope(baken):
        assert Dossier.objects.count() == 3
        assert set(User.objects.values_list("email", flat=True)) == {
            "fatima@hetbaken.klantportaal.test",
            "spaak@hetbaken.klantportaal.test",
            "notaris@hetbaken.klantportaal.test",
            "behandelaar@hetbaken.klantportaal.test",
        }
    assert Dossier.objects.count() == 7

    for host, email, other in [
        ("localhost", "jan@demo.klantportaal.test", "127.0.0.1"),
        ("127.0.0.1", "fatima@hetbaken.klantportaal.test", "localhost"),
    ]:
        office = Office.for_host(host)
        page = HttpClient(HTTP_HOST=host).get("/inloggen/").content.decode()
        assert office.name.replace("&", "&amp;") in page
        here = HttpClient(HTTP_HOST=host)
        there = HttpClient(HTTP_HOST=other)
        login = {"username": email, "password": "Demo-portaal1"}
        assert here.post("/inloggen/", login).status_code == 302, host
        assert here.get("/dossiers/").status_code == 200
        assert there.post("/inloggen/", login).status_code == 200, other  # unknown there
        assert there.get("/dossiers/").status_code == 302  # to the login page

    with tenancy.cross_office():
        counts = (Office.objects.count(), User.objects.count(), Dossier.objects.count())
    again = run_demo(django_capture_on_commit_callbacks)
    assert again.count("already present") == 2
    with tenancy.cross_office():
        assert (Office.objects.count(), User.objects.count(), Dossier.objects.count()) == counts


def test_demo_data_refuses_production_issue_1(settings):
    """Demo data never lands in a production database by accident."""
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo", stdout=io.StringIO())
    assert not User.objects.exists()


def test_dev_outbox_shows_emails_and_their_links_R_ACC_1(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    """R-ACC-1 in the embedded mode: the invitation is written to MAIL_DIR and readable, its
    link clickable, at /dev/outbox/ — only when DEBUG is on."""
    from portal.accounts import services

    settings.EMAIL_BACKEND = "portal.notifications.backends.OutboxEmailBackend"
    settings.MAIL_DIR = tmp_path / "mail"
    with django_capture_on_commit_callbacks(execute=True):
        services.create_client(kind="person", name="Kees Jansen", email="kees@example.test")
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1

    settings.DEBUG = False
    assert client.get("/dev/outbox/").status_code == 404
    assert client.get(f"/dev/outbox/{files[0].name}/").status_code == 404

    settings.DEBUG = True
    listing = client.get("/dev/outbox/").content.decode()
    assert "kees@example.test" in listing
    message = client.get(f"/dev/outbox/{files[0].name}/")
    assert message.status_code == 200
    body = message.content.decode()
    assert '<a href="http://127.0.0.1:8000/welkom/' in body
    assert client.get("/dev/outbox/..%2Fsecret_key/").status_code == 404
    assert client.get("/dev/outbox/missing.eml/").status_code == 404


def test_office_logo_is_served_safely_R_ACC_5(client):
    """R-ACC-5: the office's logo is on the login page, served by its own view from private
    storage (no media URL); an SVG logo cannot run script."""
    assert client.get("/kantoor/logo/").status_code == 404
    office = Office.current()
    office.logo.save("Logo Kantoor.png", ContentFile(PNG))
    assert "Logo Kantoor" not in office.logo.name  # a random storage name
    page = client.get("/inloggen/").content.decode()
    assert f'src="{office.logo_url}"' in page  # /kantoor/logo/?v=…
    response = client.get("/kantoor/logo/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG

    office.logo.save("logo.svg", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
    svg = client.get("/kantoor/logo/")
    assert svg["Content-Type"] == "image/svg+xml"
    assert "sandbox" in svg["Content-Security-Policy"]
