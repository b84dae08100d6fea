"""Erasure of a client (R-RET-3, issue 20 item 3): staff erase a client on request, refused
with the reason while a dossier of it is open or held; afterwards nothing of the client is
left in a page, an API answer, a search, the audit trail's display or an e-mail; its files
leave storage and its sessions stop working. Clients left without a dossier are warned once
and removed after the retention period (time-machine moves the clock)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from portal.accounts.models import AccountToken, Client, User
from portal.audit.display import describe
from portal.audit.models import AuditEntry
from portal.audit.services import record
from portal.core import tenancy
from portal.documents import services as document_services
from portal.documents.models import Document, StagedUpload
from portal.dossiers import services as dossier_services
from portal.messaging import services as message_services
from portal.messaging.models import Message
from portal.notifications.models import NotificationPreferences, OutgoingEmail
from portal.offices.services import create_office
from portal.questionnaires.models import Action
from portal.retention import erasure
from portal.sessions.cached_db import SessionStore as CachedStore
from portal.settings import s3_storage
from portal.twofactor.models import RecoveryDevice, SmsDevice

from .api_helpers import Api, make_token
from .factories import ClientFactory, DossierFactory, StaffFactory, StatusFactory, UserFactory
from .factories import grant as give_access
from .mail import send_mail_to, smtp_server
from .s3 import moto_s3
from .workspace_helpers import staff_http

NAME = "Jozefien Erasmus-Vlietstra"
EMAIL = "jozefien.erasmus@example.test"
PHONE = "+31612345678"
FILE_NAME = "paspoort-jozefien.txt"
SUBJECT = "Mijn nieuwe adres Vlietstraat"


def closed_status():
    return StatusFactory(name="Afgerond", in_progress=False, closes_dossier=True)


def close(dossier) -> None:
    dossier_services.update_dossier(dossier=dossier, status=closed_status())
    dossier.refresh_from_db()


class Scene:
    """A client with something of everything erasure removes, in a dossier of the office that
    also holds what stays (the office's letter and message)."""

    def __init__(self, run):
        self.staff = StaffFactory(email="notaris@office.test")
        self.client = ClientFactory(name=NAME, reference="K-7781")
        self.user = UserFactory(email=EMAIL, full_name=NAME, client=self.client)
        self.dossier = DossierFactory(description="Levering woning Vlietstraat 3")
        dossier_services.grant_access(dossier=self.dossier, client=self.client, by=self.staff)
        self.letter = document_services.publish_document(
            dossier=self.dossier,
            kind=Document.Kind.CORRESPONDENCE,
            title="Brief over de levering",
            file=ContentFile(b"brief\n"),
            name="brief.txt",
            by=self.staff,
        )
        self.office_message = message_services.send_message(
            dossier=self.dossier, sender=self.staff, subject="Welkom", body="Goedendag."
        )
        self.supplied = document_services.supply_document(
            dossier=self.dossier,
            file=ContentFile(b"paspoort\n"),
            name=FILE_NAME,
            title=FILE_NAME,
            by=self.user,
        )
        attachment = document_services.stage_upload(
            dossier=self.dossier, file=ContentFile(b"bijlage\n"), name="bijlage.txt", by=self.user
        )
        self.message = run(
            message_services.send_message,
            dossier=self.dossier,
            sender=self.user,
            subject=SUBJECT,
            body=f"Groet, {NAME}, {PHONE}",
            attachments=[attachment],
        )
        self.staged = document_services.stage_upload(
            dossier=self.dossier, file=ContentFile(b"half\n"), name="half.txt", by=self.user
        )
        self.pdf = Document.objects.create(
            dossier=self.dossier,
            kind=Document.Kind.SUPPLIED,
            title="Vragenlijst",
            original_name="vragenlijst.pdf",
            size=4,
            content_type="application/pdf",
            sha256="0" * 64,
            file=ContentFile(b"pdf\n", name="upload"),
        )
        self.action = Action.objects.create(
            kind=Action.Kind.QUESTIONNAIRE,
            status=Action.Status.COMPLETED,
            dossier=self.dossier,
            client=self.client,
            title_nl="Vragenlijst levering",
            answers={"telefoon": PHONE, "naam": NAME},
            pdf_document=self.pdf,
            completed_by=self.user,
            completed_at=timezone.now(),
        )
        SmsDevice.objects.create(user=self.user, name="sms", number=PHONE, confirmed=True)
        TOTPDevice.objects.create(user=self.user, name="app", confirmed=True)
        RecoveryDevice.objects.create(user=self.user, name="recovery", confirmed=True)
        WebAuthnCredential.objects.create(
            user=self.user,
            name="sleutel",
            credential_id=b"erasure-credential",
            credential_id_sha256=hashlib.sha256(b"erasure-credential").hexdigest(),
            public_key=b"key",
            sign_count=0,
            confirmed=True,
        )
        NotificationPreferences.objects.create(user=self.user, messages=False)
        AccountToken.issue(self.user, AccountToken.Purpose.INVITATION)
        record("login.succeeded", actor=self.user, address="192.0.2.7")
        record("login.failed", target=EMAIL)
        record("client.changed", actor=self.staff, target=self.client, fields=["name"])
        self.files = [
            d.file.name for d in (self.supplied, self.pdf, *self.message.attachments.all())
        ] + [self.staged.file.name]
        for name in self.files:
            assert default_storage.exists(name)

    def personal(self) -> list[str]:
        return [NAME, EMAIL, PHONE, FILE_NAME, SUBJECT, "K-7781"]


@pytest.fixture
def scene(db, run) -> Scene:
    return Scene(run)


def assert_absent(text: str, where: str) -> None:
    for value in (NAME, EMAIL, PHONE, FILE_NAME, SUBJECT):
        assert value.casefold() not in text.casefold(), (value, where)


# --- refused ---------------------------------------------------------------------------------


def test_erasure_refused_while_a_dossier_is_open_R_RET_3(scene):
    """R-RET-3: an open dossier of the client refuses the erasure, on the page with its number,
    and nothing changes."""
    http = staff_http(scene.staff)
    page = http.get(f"/kantoor/klanten/{scene.client.pk}/wissen/")
    assert page.status_code == 200
    html = page.content.decode()
    assert scene.dossier.number in html and "nog open" in html
    assert "Dit kan niet ongedaan worden gemaakt." not in html  # no erase button

    response = http.post(f"/kantoor/klanten/{scene.client.pk}/wissen/")
    assert response.status_code == 409
    assert scene.dossier.number in response.content.decode()
    assert Client.objects.filter(pk=scene.client.pk).exists()
    assert User.objects.filter(pk=scene.user.pk).exists()
    with pytest.raises(erasure.ErasureRefused) as refused:
        erasure.erase_client(client=scene.client, by=scene.staff)
    (blocker,) = refused.value.blockers
    assert blocker.is_open and blocker.hold is None
    assert not AuditEntry.objects.filter(action="client.erased").exists()


def test_erasure_refused_while_a_hold_applies_R_RET_3(scene):
    """R-RET-3: a closed dossier under a legal hold refuses the erasure, showing the hold's
    reason; lifting the hold lets it through."""
    close(scene.dossier)
    dossier_services.place_hold(
        dossier=scene.dossier, reason="Geschil met de koper", by=scene.staff
    )
    http = staff_http(scene.staff)
    response = http.post(f"/kantoor/klanten/{scene.client.pk}/wissen/")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Geschil met de koper" in html and scene.dossier.number in html
    assert Client.objects.filter(pk=scene.client.pk).exists()

    dossier_services.lift_hold(dossier=scene.dossier, by=scene.staff)
    response = http.post(f"/kantoor/klanten/{scene.client.pk}/wissen/")
    assert response.status_code == 302
    assert not Client.objects.filter(pk=scene.client.pk).exists()


def test_content_left_in_a_held_dossier_after_revoking_refuses_R_RET_3(scene):
    """R-RET-3: a dossier the client no longer sees but where its files still are counts as
    its dossier: held, it refuses the erasure (a hold stops every removal)."""
    close(scene.dossier)
    dossier_services.revoke_access(dossier=scene.dossier, client=scene.client)
    dossier_services.place_hold(dossier=scene.dossier, reason="Onderzoek", by=scene.staff)
    with pytest.raises(erasure.ErasureRefused):
        erasure.erase_client(client=scene.client, by=scene.staff)


# --- what goes, what stays -------------------------------------------------------------------


def erase(scene, run) -> None:
    close(scene.dossier)
    http = staff_http(scene.staff)
    page = http.get(f"/kantoor/klanten/{scene.client.pk}/wissen/")
    assert page.status_code == 200
    assert "Cliënt wissen" in page.content.decode()
    response = run(http.post, f"/kantoor/klanten/{scene.client.pk}/wissen/")
    assert response.status_code == 302 and response["Location"] == "/kantoor/klanten/"


def test_erasure_removes_the_client_and_keeps_the_office_content_R_RET_3(scene, run):
    """R-RET-3: the client, its account, second factors, links, settings, uploads (files gone
    from storage), messages and answers go; the office's letter and message stay; one
    content-free audit record of the erasure remains."""
    pk, user_pk = scene.client.pk, scene.user.pk
    erase(scene, run)

    assert not Client.objects.filter(pk=pk).exists()
    assert not User.objects.filter(pk=user_pk).exists()
    assert not SmsDevice.objects.filter(user_id=user_pk).exists()
    assert not TOTPDevice.objects.filter(user_id=user_pk).exists()
    assert not RecoveryDevice.objects.filter(user_id=user_pk).exists()
    assert not WebAuthnCredential.objects.filter(user_id=user_pk).exists()
    assert not AccountToken.objects.filter(user_id=user_pk).exists()
    assert not NotificationPreferences.objects.filter(user_id=user_pk).exists()
    assert not Document.objects.filter(pk__in=[scene.supplied.pk, scene.pdf.pk]).exists()
    assert not StagedUpload.objects.filter(pk=scene.staged.pk).exists()
    assert not Message.objects.filter(pk=scene.message.pk).exists()
    assert not Action.objects.filter(pk=scene.action.pk).exists()
    assert not OutgoingEmail.objects.filter(to=EMAIL).exists()
    for name in scene.files:
        assert not default_storage.exists(name), name
    # What the office published stays, with its file.
    assert Document.objects.filter(pk=scene.letter.pk).exists()
    assert default_storage.exists(scene.letter.file.name)
    assert Message.objects.filter(pk=scene.office_message.pk).exists()

    (entry,) = AuditEntry.objects.filter(action="client.erased")
    assert entry.actor_id == scene.staff.pk
    assert entry.target == f"gewiste cliënt #{pk}"
    counts = entry.data["counts"]
    assert counts["accounts"] == 1 and counts["documents"] == 3
    assert counts["messages"] == 1 and counts["questionnaires"] == 1
    assert_absent(str(entry.data) + entry.target, "erasure record")


def test_audit_trail_keeps_entries_without_personal_data_R_RET_3(scene, run):
    """R-RET-3: the trail keeps every entry, with the client's name, addresses, file names and
    subjects replaced by "gewiste cliënt #<id>" or "[gewist]", in the stored rows and in the
    sentences staff read (both languages)."""
    before = AuditEntry.objects.count()
    pk = scene.client.pk
    erase(scene, run)
    entries = list(AuditEntry.objects.select_related("dossier"))
    # Every entry stays; the erasure adds its own (and the page requests, if recorded).
    assert len(entries) >= before + 1
    for entry in entries:
        stored = f"{entry.actor_label} {entry.target} {entry.data}"
        assert_absent(stored, entry.action)
        for language in ("nl", "en"):
            with translation.override(language):
                assert_absent(describe(entry), entry.action)
    login = AuditEntry.objects.get(action="login.succeeded", actor_label=f"gewiste cliënt #{pk}")
    assert login.ip_address is None
    assert AuditEntry.objects.filter(action="login.failed", target=f"gewiste cliënt #{pk}")
    assert AuditEntry.objects.filter(action="document.supplied", target="[gewist]").exists()
    with translation.override("nl"):
        erased = AuditEntry.objects.get(action="client.erased")
        assert describe(erased) == f"Cliënt gewiste cliënt #{pk} gewist op verzoek van het kantoor"


def test_nothing_of_the_client_in_pages_api_or_search_R_RET_3(scene, run, admin_client):
    """R-RET-3: after the erasure the client's name, e-mail address, phone number, file name
    and subject appear in no workspace page (lists, search, dossier, audit trails), no API
    answer and no admin list of the audit trail or e-mails."""
    pk = scene.client.pk
    co_client = UserFactory(email="partner@example.test")
    give_access(scene.dossier, co_client.client)
    erase(scene, run)
    http = staff_http(scene.staff)
    dossier = scene.dossier.pk
    # What a co-client of the dossier sees: no trace of the erased client either.
    partner = HttpClient()
    partner.force_login(co_client)
    for tab in ("", "correspondentie/", "documenten/", "aangeleverd/", "berichten/"):
        response = partner.get(f"/dossiers/{dossier}/{tab}")
        assert response.status_code == 200, tab
        assert_absent(response.content.decode(), f"client page {tab}")
    pages = [
        "/kantoor/",
        "/kantoor/klanten/",
        f"/kantoor/klanten/?q={NAME.split()[0]}",
        f"/kantoor/zoeken/?q={NAME.split()[0]}",
        "/kantoor/zoeken/?q=erasmus",
        "/kantoor/klanten/?q=erasmus",
        "/kantoor/dossiers/",
        f"/kantoor/dossiers/{dossier}/",
        f"/kantoor/dossiers/{dossier}/logboek/",
        f"/kantoor/dossiers/{dossier}/berichten/{scene.office_message.pk}/",
    ]
    for path in pages:
        response = http.get(path)
        assert response.status_code == 200, path
        assert_absent(response.content.decode(), path)
    assert http.get(f"/kantoor/klanten/{pk}/").status_code == 404
    assert http.get(f"/kantoor/klanten/{pk}/logboek/").status_code == 404
    assert http.get(f"/kantoor/klanten/{pk}/wissen/").status_code == 404

    api = Api(make_token(scene.staff)[1])
    assert api.get(f"/api/v1/clients/{pk}/").status_code == 404
    for path in (
        "/api/v1/clients/",
        "/api/v1/dossiers/",
        f"/api/v1/dossiers/{dossier}/",
        "/api/v1/documents/",
        "/api/v1/messages/",
        "/api/v1/questionnaires/",
        "/api/v1/changes/",
    ):
        response = api.get(path)
        assert response.status_code == 200, path
        assert_absent(response.content.decode(), path)

    for path in ("/beheer/audit/auditentry/", "/beheer/notifications/outgoingemail/"):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert_absent(response.content.decode(), path)
    for mail in OutgoingEmail.objects.all():
        assert_absent(f"{mail.to} {mail.subject} {mail.body_text} {mail.body_html}", mail.kind)


def test_a_logged_in_client_is_logged_out_at_once_R_RET_3(scene, run, client):
    """R-RET-3: the erased account's session stops working: its next request is anonymous
    (sent to the login page), and its session row is gone."""
    client.force_login(scene.user)
    response = client.get(f"/dossiers/{scene.dossier.pk}/")
    assert response.status_code == 200
    key = client.session.session_key
    erase(scene, run)
    response = client.get(f"/dossiers/{scene.dossier.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")
    assert not Session.objects.filter(session_key=key).exists()


def test_a_company_loses_all_its_accounts_R_RET_3(db, run):
    """R-RET-3: erasing a company erases every account of it, main and extra."""
    company = ClientFactory(company=True, name="Vlietstra Holding B.V.")
    main = UserFactory(email="main@vlietstra.test", client=company)
    extra = UserFactory(email="extra@vlietstra.test", client=company, is_main_account=False)
    other = UserFactory(email="other@example.test")
    dossier = DossierFactory(status=closed_status(), closed_at=timezone.now())
    give_access(dossier, company)
    give_access(dossier, other.client)
    counts = erasure.erase_client(client=company, by=StaffFactory())
    assert counts.accounts == 2
    assert not User.objects.filter(pk__in=[main.pk, extra.pk]).exists()
    assert User.objects.filter(pk=other.pk).exists()
    assert dossier.grants.get().client_id == other.client_id


def test_erase_page_query_count_is_fixed_R_RET_3(db, run):
    """R-RET-3: the confirmation page runs the same number of queries for a client with one
    file and message as for one with many."""
    staff = StaffFactory()
    http = staff_http(staff)

    def count(uploads: int) -> int:
        client = ClientFactory()
        user = UserFactory(client=client)
        dossier = DossierFactory(status=closed_status(), closed_at=timezone.now())
        give_access(dossier, client)
        for i in range(uploads):
            document_services.supply_document(
                dossier=dossier, file=ContentFile(b"x\n"), name=f"f{i}.txt", by=user
            )
            message_services.send_message(dossier=dossier, sender=user, subject=f"S{i}", body="b")
        with CaptureQueriesContext(connection) as captured:
            response = http.get(f"/kantoor/klanten/{client.pk}/wissen/")
        assert response.status_code == 200
        assert "Dit kan niet ongedaan worden gemaakt." in response.content.decode()
        return len(captured.captured_queries)

    assert count(1) == count(8)


# --- clients left without a dossier ------------------------------------------------------------

START = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


@pytest.fixture
def period(settings):
    settings.CLIENT_INACTIVE_MONTHS = 12
    settings.CLIENT_INACTIVE_WARNING_DAYS = 30
    return settings


def sweep(run) -> int:
    return run(erasure.remove_inactive_clients)


@pytest.mark.smtp
def test_inactive_client_warned_then_removed_after_the_period_R_RET_3(db, run, period):
    """R-RET-3: a client left without a dossier gets one content-free warning e-mail (over
    real SMTP) 30 days before the end of CLIENT_INACTIVE_MONTHS, and is removed on the first
    run after the period, never before."""
    with smtp_server() as (inbox, port):
        send_mail_to(period, port)
        with time_machine.travel(START, tick=False) as clock:
            user = UserFactory(email=EMAIL, full_name=NAME)
            pk = user.client_id
            dossier = DossierFactory(description="Verkoop Vlietstraat 3", status=closed_status())
            give_access(dossier, user.client)
            assert sweep(run) == 0
            dossier_services.revoke_access(dossier=dossier, client=user.client)
            assert sweep(run) == 0  # the count starts: no dossier since now
            clock.move_to(START + timedelta(days=334))  # 31 days before the year is over
            assert sweep(run) == 0
            assert inbox.messages == []
            clock.move_to(START + timedelta(days=336))
            assert sweep(run) == 0
            assert len(inbox.messages) == 1
            rcpt, message = inbox.messages[0]
            assert rcpt == [EMAIL]
            text = message.get_body(preferencelist=("plain",)).get_content()
            html = message.get_body(preferencelist=("html",)).get_content()
            assert "30 dagen" in text
            for part in (text, html, message["Subject"]):
                assert dossier.number not in part and "Vlietstraat" not in part
            # One warning only.
            clock.move_to(START + timedelta(days=350))
            assert sweep(run) == 0
            assert len(inbox.messages) == 1
            clock.move_to(START + timedelta(days=365))  # one day short of 12 months
            assert sweep(run) == 0
            assert User.objects.filter(pk=user.pk).exists()
            clock.move_to(START + timedelta(days=366, hours=1))
            assert sweep(run) == 1
            assert not User.objects.filter(pk=user.pk).exists()
            assert not Client.objects.filter(pk=pk).exists()
            assert AuditEntry.objects.filter(action="client.removed_inactive").count() == 1
            for entry in AuditEntry.objects.all():
                assert_absent(f"{entry.actor_label} {entry.target} {entry.data}", entry.action)


def test_login_after_the_warning_cancels_it_R_RET_3(db, run, period, client):
    """R-RET-3: logging in after the warning cancels it: the count starts again from the
    login, and a new warning comes before any removal."""
    with time_machine.travel(START, tick=False) as clock:
        user = UserFactory(email=EMAIL)
        sweep(run)
        clock.move_to(START + timedelta(days=340))
        sweep(run)
        assert Client.objects.get(pk=user.client_id).erasure_warned_at is not None
        clock.move_to(START + timedelta(days=341))
        client.force_login(user)  # a login: Django sets last_login
        assert User.objects.get(pk=user.pk).last_login == timezone.now()
        clock.move_to(START + timedelta(days=400))
        assert sweep(run) == 0
        assert User.objects.filter(pk=user.pk).exists()
        assert Client.objects.get(pk=user.client_id).erasure_warned_at is None


def test_a_dossier_again_cancels_the_warning_R_RET_3(db, run, period):
    """R-RET-3: a client given a dossier again is no longer counted nor warned."""
    with time_machine.travel(START, tick=False) as clock:
        user = UserFactory(email=EMAIL)
        sweep(run)
        clock.move_to(START + timedelta(days=340))
        sweep(run)
        give_access(DossierFactory(), user.client)
        clock.move_to(START + timedelta(days=400))
        assert sweep(run) == 0
        found = Client.objects.get(pk=user.client_id)
        assert found.erasure_warned_at is None and found.no_dossier_since is None


def test_beat_runs_the_inactive_client_sweep_daily_R_RET_3(settings):
    """R-RET-3: beat runs the sweep once a day, under a name a worker knows."""
    from portal.celery import app

    (entry,) = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "portal.retention.erasure.remove_inactive_clients"
    ]
    assert entry["schedule"] == 86400
    app.loader.import_default_modules()
    assert "portal.retention.erasure.remove_inactive_clients" in app.tasks


def test_cached_sessions_of_the_erased_account_end_too_R_RET_3(db, run, settings):
    """R-RET-3: with sessions in the cache before the database (``cached_db``), the cached
    copy goes with the row: the erased account's browser is logged out at once."""
    settings.SESSION_ENGINE = "portal.sessions.cached_db"
    user = UserFactory(email=EMAIL)
    dossier = DossierFactory(status=closed_status(), closed_at=timezone.now())
    give_access(dossier, user.client)
    browser = HttpClient()
    browser.force_login(user)
    assert browser.get(f"/dossiers/{dossier.pk}/").status_code == 200
    key = browser.session.session_key
    assert cache.get(CachedStore.cache_key_prefix + key)
    run(erasure.erase_client, client=user.client, by=StaffFactory())
    assert cache.get(CachedStore.cache_key_prefix + key) is None
    response = browser.get(f"/dossiers/{dossier.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")


def test_files_leave_s3_too_R_RET_3(db, run, settings, monkeypatch):
    """R-RET-3: with the files in S3 (moto's server on loopback), the client's files leave the
    bucket once the erasure commits; the office's letter stays."""
    with moto_s3() as s3:
        bucket = s3.create_bucket()
        for name, value in s3.env(bucket).items():
            monkeypatch.setenv(name, value)
        settings.STORAGES = {**settings.STORAGES, "default": s3_storage()}
        staff = StaffFactory()
        user = UserFactory(email=EMAIL)
        dossier = DossierFactory(status=closed_status(), closed_at=timezone.now())
        give_access(dossier, user.client)
        letter = document_services.publish_document(
            dossier=dossier,
            kind="document",
            title="Akte",
            file=ContentFile(b"akte\n"),
            name="akte.txt",
            by=staff,
        )
        supplied = document_services.supply_document(
            dossier=dossier, file=ContentFile(b"id\n"), name=FILE_NAME, by=user
        )
        keys = {o["Key"] for o in s3.client().list_objects_v2(Bucket=bucket)["Contents"]}
        assert keys == {letter.file.name, supplied.file.name}
        run(erasure.erase_client, client=user.client, by=staff)
        keys = {o["Key"] for o in s3.client().list_objects_v2(Bucket=bucket).get("Contents", [])}
        assert keys == {letter.file.name}


@pytest.mark.django_db(transaction=True)
def test_beat_sweep_works_for_every_office_R_RET_3(run, period, mailoutbox):
    """R-RET-3, R-TEN-1: beat runs the sweep with no office chosen; it works through every
    office in its own scope, each warning in its own office's name (committed, as in beat:
    the e-mail is queued when the warning commits, in the office's scope)."""
    with tenancy.cross_office():
        offices = [
            create_office(name=f"Notariaat {name}", hosts=[f"{name.lower()}.example"])
            for name in ("Linde", "Eik")
        ]
    users = []
    with time_machine.travel(START, tick=False) as clock:
        for office in offices:
            with tenancy.office_scope(office):
                users.append(UserFactory(email=f"klant@{office.pk}.example"))
        with tenancy.no_office():
            assert sweep(run) == 0
            clock.move_to(START + timedelta(days=336))
            assert sweep(run) == 0
        assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in users)
        for office in offices:
            (mail,) = [m for m in mailoutbox if m.to[0] == f"klant@{office.pk}.example"]
            assert office.name in mail.subject
        clock.move_to(START + timedelta(days=367))
        with tenancy.no_office():
            assert sweep(run) == 2
    with tenancy.cross_office():
        assert not User.objects.filter(pk__in=[u.pk for u in users]).exists()


def test_api_erase_refused_then_done_R_RET_3(scene, run):
    """R-RET-3 through the API: POST /clients/{id}/erase/ is refused (400, a problem naming
    the dossier and the hold's reason) while a dossier is open or held; once closed and not
    held it answers 204, and the client is a 404 afterwards."""
    api = Api(make_token(scene.staff)[1])
    url = f"/api/v1/clients/{scene.client.pk}/erase/"
    open_answer = api.post(url)
    assert open_answer.status_code == 400
    assert scene.dossier.number in open_answer.json()["detail"]
    close(scene.dossier)
    dossier_services.place_hold(dossier=scene.dossier, reason="Beslag", by=scene.staff)
    held = api.post(url)
    assert held.status_code == 400 and "Beslag" in held.json()["detail"]
    assert Client.objects.filter(pk=scene.client.pk).exists()
    dossier_services.lift_hold(dossier=scene.dossier, by=scene.staff)
    assert run(api.post, url).status_code == 204
    assert api.get(f"/api/v1/clients/{scene.client.pk}/").status_code == 404
    assert api.post(url).status_code == 404
    (entry,) = AuditEntry.objects.filter(action="client.erased")
    assert entry.actor_id == scene.staff.pk
    for name in scene.files:
        assert not default_storage.exists(name)


def test_access_matrix_still_holds_after_an_erasure_R_RET_3_R_DOS_6(world, run):
    """R-RET-3, R-DOS-6: erasing a client with a closed dossier of its own leaves every other
    role's access as it was: the client pages' access matrix has no leak and no wrong answer."""
    from .test_access_matrix import matrix_urls, run_matrix

    user = UserFactory(email=EMAIL, full_name=NAME)
    dossier = DossierFactory(status=closed_status(), closed_at=timezone.now())
    give_access(dossier, user.client)
    document_services.supply_document(
        dossier=dossier, file=ContentFile(b"id\n"), name=FILE_NAME, by=user
    )
    run(erasure.erase_client, client=user.client, by=world.staff)
    result = run_matrix(world, matrix_urls())
    assert result.leaks == []
    assert result.wrong_answers == []


def test_a_client_who_approved_and_signed_can_be_erased_R_RET_3(db, run):
    """R-RET-3 with R-SIG-4/5: the client's approval answer and signer rows go with it; the
    office's signing request and the document stay."""
    from portal.questionnaires import approvals, signing
    from portal.questionnaires.models import ApprovalRequest, Signer, SigningRequest

    from .signing_helpers import publish_pdf

    staff = StaffFactory()
    user = UserFactory(email=EMAIL, full_name=NAME)
    dossier = DossierFactory()
    give_access(dossier, user.client)
    document = publish_pdf(dossier)
    (asked,) = approvals.request_approval(dossier=dossier, document=document, clients=[user.client])
    approvals.answer_approval(action=asked, approved=False, remark=f"{NAME} is het oneens", by=user)
    request = signing.request_signatures(document=document, accounts=[user], by=staff)
    close(dossier)

    run(erasure.erase_client, client=user.client, by=staff)

    assert not ApprovalRequest.objects.exists()
    assert not Signer.objects.exists()
    assert SigningRequest.objects.filter(pk=request.pk).exists()
    assert Document.objects.filter(pk=document.pk).exists()
    assert not User.objects.filter(email=EMAIL).exists()
