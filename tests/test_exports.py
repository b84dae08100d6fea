"""The client's data export, "Mijn gegevens downloaden" (R-RET-2): one ZIP of every dossier the
account may see (documents, messages with attachments, questionnaire answers and PDFs, upload
requests), the account's own data and a README; built in the background, announced by a
content-free e-mail, downloadable by the account that asked only, for 24 hours, audited.

What is left out, by decision (portal/exports/archive.py): what the client no longer sees —
withdrawn documents (their row is gone), cancelled actions, another client's actions in a shared
dossier, dossiers whose access was revoked — and anything of dossiers the client never saw."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.audit.models import AuditEntry
from portal.documents import services as documents
from portal.documents.models import Document
from portal.dossiers import services as dossier_services
from portal.exports.models import DataExport
from portal.exports.tasks import prune_exports
from portal.messaging import services as messaging
from portal.messaging.models import Message
from portal.notifications.models import OutgoingEmail
from portal.offices.models import Office
from portal.questionnaires import services as actions
from portal.questionnaires.models import Action
from portal.questionnaires.pdf import store_pdf

from .factories import ClientFactory, DossierFactory, UserFactory, grant
from .mail import links, path_of, send_mail_to, smtp_server
from .questionnaire_helpers import sized_template

pytestmark = pytest.mark.django_db

REQUEST_URL = "/mijn-gegevens/downloaden/"
DOWNLOAD = re.compile(r'href="(/mijn-gegevens/downloaden/(\d+)/)"')


def logged_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def ask(http: HttpClient, run):
    """Press "Mijn gegevens downloaden" and let the after-commit work (the build, the e-mail)
    run, as it does once the request's transaction commits."""
    return run(http.post, REQUEST_URL, follow=True)


def download_url(http: HttpClient) -> str:
    found = DOWNLOAD.search(http.get("/mijn-gegevens/").content.decode())
    assert found, "no download link on Mijn gegevens"
    return found.group(1)


def fetch_zip(http: HttpClient, url: str) -> zipfile.ZipFile:
    response = http.get(url)
    assert response.status_code == 200, response.status_code
    assert response.streaming, "the export is streamed, not built in memory"
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None
    return archive


def text_file(content: str, name: str) -> ContentFile:
    return ContentFile(content.encode(), name=name)


def contents(archive: zipfile.ZipFile) -> dict[bytes, list[str]]:
    """Each file's content → the names it appears under."""
    found: dict[bytes, list[str]] = {}
    for name in archive.namelist():
        found.setdefault(archive.read(name), []).append(name)
    return found


@pytest.fixture
def scene(world):
    """The owner's dossier with one of everything a client can see, and things they cannot."""
    staff = world.staff
    dossier = world.person_dossier
    expected: dict[str, bytes] = {}

    for kind in (Document.Kind.CORRESPONDENCE, Document.Kind.DOCUMENT):
        content = f"published {kind}\n"
        documents.publish_document(
            dossier=dossier, kind=kind, title=kind, file=text_file(content, f"{kind}.txt"), by=staff
        )
        expected[f"published {kind}"] = content.encode()
    # Two documents with the same name: both in, the second numbered.
    documents.publish_document(
        dossier=dossier,
        kind=Document.Kind.DOCUMENT,
        title="Akte",
        file=text_file("same name 2\n", "akte.txt"),
        by=staff,
    )
    documents.publish_document(
        dossier=dossier,
        kind=Document.Kind.DOCUMENT,
        title="Akte",
        file=text_file("same name 1\n", "akte.txt"),
        by=staff,
    )
    expected["same name 1"] = b"same name 1\n"
    expected["same name 2"] = b"same name 2\n"
    # A message from the client with an attachment, and one from the office with one.
    staged = documents.stage_upload(
        dossier=dossier, file=text_file("client attachment\n", "bijlage.txt"), by=world.owner
    )
    messaging.send_message(
        dossier=dossier,
        sender=world.owner,
        subject="Vraag over de akte",
        body="Mijn vraag staat hier.",
        attachments=[staged],
    )
    expected["client attachment"] = b"client attachment\n"
    staged = documents.stage_upload(
        dossier=dossier, file=text_file("office attachment\n", "antwoord.txt"), by=staff
    )
    messaging.send_message(
        dossier=dossier,
        sender=staff,
        subject="Antwoord",
        body="Het antwoord.",
        attachments=[staged],
    )
    expected["office attachment"] = b"office attachment\n"
    # A completed questionnaire: answers and the result PDF.
    questionnaire = actions.send_questionnaire(
        template=sized_template(2), dossier=dossier, client=world.owner.client
    )
    keys = [q["key"] for page in questionnaire.pages for q in page["questions"]]
    Action.objects.filter(pk=questionnaire.pk).update(
        answers={keys[0]: "Antwoord een", keys[1]: "Antwoord twee"},
        status=Action.Status.COMPLETED,
        completed_at=timezone.now(),
        completed_by=world.owner,
    )
    pdf_pk = store_pdf(questionnaire.pk)
    expected["questionnaire pdf"] = Document.objects.get(pk=pdf_pk).file.open("rb").read()
    # An upload request with a supplied file.
    upload = actions.request_upload(
        dossier=dossier, client=world.owner.client, title_nl="Kopie paspoort"
    )
    actions.supply_for_request(
        action=upload, file=text_file("passport copy\n", "paspoort.txt"), name=None, by=world.owner
    )
    expected["upload request file"] = b"passport copy\n"

    # Not in the export: a withdrawn document, a cancelled action, another client's action in
    # the same dossier, a dossier of another client, a dossier whose access was revoked.
    withdrawn = documents.publish_document(
        dossier=dossier,
        kind=Document.Kind.DOCUMENT,
        title="Verkeerd",
        file=text_file("withdrawn\n", "verkeerd.txt"),
        by=staff,
    )
    documents.withdraw_document(document=withdrawn, by=staff)
    cancelled = actions.request_upload(
        dossier=dossier, client=world.owner.client, title_nl="Ingetrokken verzoek"
    )
    Action.objects.filter(pk=cancelled.pk).update(status=Action.Status.CANCELLED)
    grant(dossier, world.other.client)
    actions.request_upload(dossier=dossier, client=world.other.client, title_nl="Verzoek aan ander")
    documents.publish_document(
        dossier=world.company_dossier,
        kind=Document.Kind.DOCUMENT,
        title="Bedrijf",
        file=text_file("company only\n", "bedrijf.txt"),
        by=staff,
    )
    revoked = DossierFactory(description="Ingetrokken toegang")
    grant(revoked, world.owner.client)
    documents.publish_document(
        dossier=revoked,
        kind=Document.Kind.DOCUMENT,
        title="Weg",
        file=text_file("revoked dossier\n", "weg.txt"),
        by=staff,
    )
    dossier_services.revoke_access(dossier=revoked, client=world.owner.client)
    return expected


def test_the_export_holds_everything_the_client_sees_and_nothing_else_R_RET_2(world, scene, run):
    """R-RET-2: every document (all tabs, the world's three too), every message with its
    attachments, the questionnaire's answers and PDF, the upload request's file, each once;
    nothing withdrawn, cancelled, of another client or of a revoked dossier."""
    http = logged_in(world.owner)
    page = ask(http, run)
    assert "We zetten uw gegevens klaar" in page.content.decode()
    archive = fetch_zip(http, download_url(http))
    found = contents(archive)
    for label, content in scene.items():
        assert len(found.get(content, [])) == 1, (label, found.get(content))
    # The world's documents of the dossier (one per tab, all "inhoud\n"): three copies.
    assert len(found[b"inhoud\n"]) == 3
    names = archive.namelist()
    for absent in (b"withdrawn\n", b"company only\n", b"revoked dossier\n"):
        assert absent not in found
    assert not any("Ingetrokken" in name or "Verzoek aan ander" in name for name in names)
    assert not any(world.company_dossier.number in name for name in names)
    # One folder, the owner's dossier, beside the README and the account's data.
    tops = {name.split("/")[0] for name in names}
    assert tops == {
        "README.txt",
        "account.json",
        f"{world.person_dossier.number} Levering woning Dorpsstraat 1",
    }
    # Messages as text: subject, date, author, body.
    message_texts = [archive.read(n).decode() for n in names if n.endswith("/bericht.txt")]
    assert len(message_texts) == world.person_dossier.messages.count() == 3
    client_message = next(t for t in message_texts if "Vraag over de akte" in t)
    assert (
        "Mijn vraag staat hier." in client_message and world.owner.get_full_name() in client_message
    )
    office_message = next(t for t in message_texts if "Antwoord" in t and "Het antwoord" in t)
    assert Office.current().name in office_message
    # The questionnaire's answers as JSON, the duplicates numbered.
    answers = [archive.read(n).decode() for n in names if n.endswith("/antwoorden.json")]
    assert any("Antwoord een" in a and "Antwoord twee" in a for a in answers)
    assert any(n.endswith("/akte (2).txt") for n in names)
    assert any(n.endswith("/verzoek.json") for n in names)  # the upload request
    # The account's data and a README in the client's language (Dutch by default).
    account = archive.read("account.json").decode()
    assert world.owner.email in account and '"notifications"' in account
    assert "Uw gegevens" in archive.read("README.txt").decode()
    assert AuditEntry.objects.filter(action="export.requested", actor=world.owner).count() == 1
    assert AuditEntry.objects.filter(action="export.downloaded", actor=world.owner).count() == 1


def test_a_readme_in_english_for_an_english_client_R_RET_2(world, run):
    """R-RET-2: the README follows the account's language."""
    world.owner.language = "en"
    world.owner.save()
    http = logged_in(world.owner)
    ask(http, run)
    archive = fetch_zip(http, download_url(http))
    assert "Your data from the client portal" in archive.read("README.txt").decode()
    assert any(name.endswith("/message.txt") for name in archive.namelist())


def test_another_accounts_export_is_a_404_R_RET_2(world, run):
    """R-RET-2: only the account that asked downloads its export; every other role gets a 404
    (a company's other account too), a visitor the login page."""
    ask(logged_in(world.company_extra), run)
    export = DataExport.objects.get(user=world.company_extra)
    url = f"/mijn-gegevens/downloaden/{export.pk}/"
    for role, user in world.roles().items():
        http = logged_in(user) if user else HttpClient()
        response = http.get(url)
        if role == "extra account":
            assert response.status_code == 200, role
        elif role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/inloggen/")
        else:
            assert response.status_code == 404, role
    assert AuditEntry.objects.filter(action="export.downloaded").count() == 1
    # Staff have no client data to export: the request is a 404 for them.
    assert logged_in(world.staff).post(REQUEST_URL).status_code == 404


def test_a_company_extra_account_gets_the_company_dossiers_R_RET_2(world, run):
    """R-RET-2, R-ME-4: an extra account's export holds the company's dossiers."""
    http = logged_in(world.company_extra)
    ask(http, run)
    names = fetch_zip(http, download_url(http)).namelist()
    tops = {name.split("/")[0] for name in names}
    assert any(top.startswith(world.company_dossier.number) for top in tops)
    assert not any(top.startswith(world.person_dossier.number) for top in tops)
    tabs = ("/Correspondentie/", "/Documenten/", "/Door mij aangeleverd/")
    assert sorted(n.split("/")[1] for n in names if any(tab in n for tab in tabs)) == sorted(
        tab.strip("/") for tab in tabs
    )


HOSTILE = [
    "../../etc/passwd",
    "/etc/shadow",
    "con",
    "CON.txt",
    "a/b\\c.txt",
    "regel\neen\r.txt",
    "tab\tbel\x1f\x7f.pdf",  # (NUL: PostgreSQL stores no NUL in a text column)
    "..",
    "",
    "x" * 250 + ".pdf",  # the column holds 255
    "\u202eevil\u202c.txt",
]


def _safe(name: str) -> bool:
    parts = name.split("/")
    return (
        not name.startswith("/")
        and "\\" not in name
        and all(part not in ("", ".", "..") for part in parts)
        and all(len(part) <= 110 for part in parts)  # 100 and a number
        and not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name)
        and not any(re.fullmatch(r"(?i)(con|prn|aux|nul|com\d|lpt\d)(\..*)?", p) for p in parts)
    )


def test_the_zip_opens_and_its_names_are_safe_R_RET_2(world, run):
    """R-RET-2: hostile file names, subjects and descriptions give safe, unique names in the
    ZIP: no path traversal, no absolute paths, no control characters, no reserved names,
    length-limited; the archive opens and every file is there."""
    dossier = world.person_dossier
    dossier.description = "../../Levering/woning\nDorpsstraat"
    dossier.save()
    for i, name in enumerate(HOSTILE):
        Document.objects.create(
            dossier=dossier,
            kind=Document.Kind.DOCUMENT,
            title=f"Vijandig {i}",
            original_name=name,
            size=5,
            content_type="text/plain",
            sha256="0" * 64,
            file=ContentFile(f"hostile {i}".encode(), name="upload"),
        )
    Message.objects.create(
        dossier=dossier,
        direction=Message.Direction.OUTGOING,
        subject="../../../../tmp/x\nBcc: iemand",
        body="tekst",
        author=world.owner,
    )
    http = logged_in(world.owner)
    ask(http, run)
    archive = fetch_zip(http, download_url(http))
    names = archive.namelist()
    assert len(names) == len(set(names))
    bad = [name for name in names if not _safe(name)]
    assert bad == []
    found = contents(archive)
    for i in range(len(HOSTILE)):
        assert f"hostile {i}".encode() in found, i
    assert any(name.endswith("/passwd") for name in names)
    assert any(name.endswith("/_con") for name in names)


def test_the_export_expires_after_24_hours_and_is_pruned_R_RET_2(world, run):
    """R-RET-2: the download works for 24 hours; after that it is a 404, the page says it
    expired, and the prune task removes the row and the file."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        http = logged_in(world.owner)
        ask(http, run)
        url = download_url(http)
        export = DataExport.objects.get(user=world.owner)
        page = http.get("/mijn-gegevens/").content.decode()
        until = timezone.localtime(export.expires_at).strftime("%H:%M")
        assert "Uw gegevens staan klaar. U kunt ze downloaden tot" in page and until in page
        assert "Nieuwe download klaarzetten" in page
        assert default_storage.exists(export.file.name)
        assert re.fullmatch(
            rf"office-{export.office_id}/exports/[0-9a-f]{{32}}\.zip", export.file.name
        )
        traveller.shift(timedelta(hours=23, minutes=59))
        http = logged_in(world.owner)  # a new login: the first session has ended by now
        assert http.get(url).status_code == 200
        assert prune_exports() == 0
        traveller.shift(timedelta(minutes=2))
        http = logged_in(world.owner)
        assert http.get(url).status_code == 404
        assert "Uw vorige download is verlopen" in http.get("/mijn-gegevens/").content.decode()
        assert prune_exports() == 1
        assert not DataExport.objects.exists()
        assert not default_storage.exists(export.file.name)


def test_a_second_request_waits_for_the_first_and_requests_are_limited_R_RET_2(
    world, run, settings, django_capture_on_commit_callbacks
):
    """R-RET-2: while an export is being prepared a second request is refused with a clear
    message (nothing queued twice); after EXPORT_REQUESTS_PER_DAY in 24 hours, too."""
    settings.EXPORT_REQUESTS_PER_DAY = 2
    http = logged_in(world.owner)
    # The build is queued but has not run yet (no after-commit work).
    with django_capture_on_commit_callbacks(execute=False):
        http.post(REQUEST_URL)
    page = http.post(REQUEST_URL, follow=True).content.decode()
    assert "Uw gegevens worden al klaargezet" in page
    assert DataExport.objects.filter(user=world.owner).count() == 1
    DataExport.objects.filter(user=world.owner).update(status=DataExport.Status.FAILED)
    ask(http, run)
    assert DataExport.objects.filter(user=world.owner, status=DataExport.Status.READY).count() == 1
    page = ask(http, run).content.decode()
    assert DataExport.objects.filter(user=world.owner).count() == 2
    assert "U hebt de afgelopen 24 uur al 2 keer om uw gegevens gevraagd" in page
    assert AuditEntry.objects.filter(action="export.requested").count() == 2


@pytest.mark.smtp
def test_the_email_is_content_free_over_real_smtp_R_RET_2(world, scene, run, settings):
    """R-RET-2, R-X-3: the e-mail says only that the data is ready, with a link to Mijn
    gegevens: no dossier, no file name, no message, no link to the file itself."""
    with smtp_server() as (inbox, port):
        send_mail_to(settings, port)
        http = logged_in(world.owner)
        ask(http, run)
    assert [rcpt for rcpt, _ in inbox.messages] == [[world.owner.email]]
    message = inbox.messages[0][1]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for body in (text, html, message["Subject"]):
        for secret in (
            world.person_dossier.number,
            "Dorpsstraat",
            "akte",
            "Vraag over de akte",
            "Antwoord een",
            "/downloaden/",
        ):
            assert secret not in body, secret
    assert [path_of(link) for link in links(text) if "/mijn-gegevens/" in link] == [
        "/mijn-gegevens/"
    ]
    assert OutgoingEmail.objects.get(kind="export_ready").body_text == ""  # cleared when sent


def test_my_details_has_a_fixed_query_count_with_exports_R_RET_2(world, run):
    """R-RET-2, R-X-2: the status on Mijn gegevens costs one query, however many exports."""
    http = logged_in(world.owner)
    Office.current()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert http.get("/mijn-gegevens/").status_code == 200
        return len(queries)

    before = count()
    ask(http, run)
    with_one = count()
    for _ in range(20):
        DataExport.objects.create(user=world.owner, status=DataExport.Status.FAILED)
    assert count() == with_one == before


def test_every_document_of_a_large_dossier_streams_into_the_zip_R_RET_2(world, run):
    """R-RET-2: many documents in one dossier (names alike) each arrive, numbered."""
    client = ClientFactory()
    user = UserFactory(email="veel@example.test", client=client)
    dossier = DossierFactory()
    grant(dossier, client)
    for i in range(60):
        Document.objects.create(
            dossier=dossier,
            kind=Document.Kind.CORRESPONDENCE,
            title="Brief",
            original_name="brief.txt",
            size=4,
            content_type="text/plain",
            sha256="0" * 64,
            file=ContentFile(f"brief {i}".encode(), name="upload"),
        )
    http = logged_in(user)
    ask(http, run)
    names = fetch_zip(http, download_url(http)).namelist()
    letters = [n for n in names if "/brief" in n]
    assert len(letters) == 60 and any(n.endswith("/brief (60).txt") for n in letters)


S3_VARIABLES = [
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ADDRESSING_STYLE",
    "S3_URL_EXPIRE_SECONDS",
    "S3_SSE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
]


def test_the_export_is_stored_privately_in_s3_and_pruned_there_R_RET_2(
    world, run, monkeypatch, settings
):
    """R-RET-2 with S3 storage (moto's server on loopback): the documents are read from the
    bucket, the ZIP is written to it under the office's prefix, downloaded through the portal,
    and removed from the bucket when it expires."""
    from portal.settings import s3_storage

    from .s3 import moto_s3

    with moto_s3() as s3:
        bucket = s3.create_bucket()
        for name in S3_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in s3.env(bucket, S3_SSE="1").items():
            monkeypatch.setenv(name, value)
        settings.STORAGES = {**settings.STORAGES, "default": s3_storage()}
        documents.publish_document(
            dossier=world.person_dossier,
            kind=Document.Kind.DOCUMENT,
            title="In S3",
            file=text_file("stored in s3\n", "s3.txt"),
            by=world.staff,
        )
        http = logged_in(world.owner)
        ask(http, run)
        export = DataExport.objects.get(user=world.owner)
        keys = {o["Key"] for o in s3.client().list_objects_v2(Bucket=bucket)["Contents"]}
        assert export.file.name in keys
        assert export.file.name.startswith(f"office-{export.office_id}/exports/")
        archive = fetch_zip(http, download_url(http))
        assert b"stored in s3\n" in contents(archive)
        DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
        assert prune_exports() == 1
        keys = {o["Key"] for o in s3.client().list_objects_v2(Bucket=bucket).get("Contents", [])}
        assert export.file.name not in keys


def test_a_failed_build_says_so_and_may_be_asked_again_R_RET_2(world, run, monkeypatch):
    """R-RET-2: when building fails nothing is offered for download, the page says it did not
    succeed, and the client can ask again; no half-made file is left in the storage."""
    from portal.exports import tasks

    def broken(target, user):
        target.write(b"half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(tasks, "write_archive", broken)
    http = logged_in(world.owner)
    ask(http, run)
    export = DataExport.objects.get(user=world.owner)
    assert export.status == DataExport.Status.FAILED and not export.file
    page = http.get("/mijn-gegevens/").content.decode()
    assert "Het klaarzetten van uw gegevens is niet gelukt" in page
    assert not DOWNLOAD.search(page)
    assert not OutgoingEmail.objects.filter(kind="export_ready").exists()
    monkeypatch.undo()
    ask(http, run)
    assert DataExport.objects.filter(user=world.owner, status=DataExport.Status.READY).exists()
    assert "README.txt" in fetch_zip(http, download_url(http)).namelist()


def test_a_lost_build_is_queued_again_by_the_sweep_R_RET_2(
    world, settings, django_capture_on_commit_callbacks
):
    """R-RET-2: a request whose build never reached a worker (the broker was down: the
    after-commit work is lost here) is built by the beat sweep a few minutes later; a build
    that started is left to its worker."""
    from portal.celery import app
    from portal.exports.tasks import build_lost_exports

    http = logged_in(world.owner)
    with django_capture_on_commit_callbacks(execute=False):
        http.post(REQUEST_URL)
    export = DataExport.objects.get(user=world.owner)
    assert build_lost_exports() == 0  # just asked: not lost yet
    DataExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        assert build_lost_exports() == 1
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY and export.started_at is not None
    assert build_lost_exports() == 0
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "portal.exports.tasks.build_lost_exports" in scheduled
    app.loader.import_default_modules()
    assert "portal.exports.tasks.build_lost_exports" in app.tasks


def test_the_zip_goes_with_the_account_R_RET_2(world, run, django_capture_on_commit_callbacks):
    """R-RET-2, R-RET-3: when an account is deleted (a company's extra account removed, a
    client erased) its exports go, and their files with them."""
    http = logged_in(world.company_extra)
    ask(http, run)
    export = DataExport.objects.get(user=world.company_extra)
    assert default_storage.exists(export.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        world.company_extra.delete()
    assert not DataExport.objects.filter(pk=export.pk).exists()
    assert not default_storage.exists(export.file.name)
