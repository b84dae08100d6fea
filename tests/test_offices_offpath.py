"""Everything off the request path carries its office (R-TEN-2): beat sweeps run per office,
e-mails, SMS, webhooks, PDFs, the dev outbox and storage paths are the office's, and nothing is
sent for a suspended office."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.utils import timezone

from portal.core import tenancy
from portal.notifications.models import OutgoingEmail, PendingNotification
from portal.offices.models import Office, OfficeHost

from .factories import UserFactory


def make_office(name: str, host: str, **fields) -> Office:
    with tenancy.cross_office():
        office = Office.objects.create(name=name, **fields)
        OfficeHost.objects.create(office=office, name=host, primary=True)
    return office


@pytest.fixture
def two_offices(db):
    a = make_office(
        "Notariaat Aalberts",
        "a.example",
        email_sender="post@a.example",
        email_reply_to="balie@a.example",
        sms_sender="Aalberts",
    )
    b = make_office("Notariaat Bosman", "b.example", email_sender="post@b.example")
    return a, b


def aged(queryset, **fields) -> None:
    queryset.update(**{name: timezone.now() - timedelta(days=400) for name in fields})


def pending_mail(office: Office, to: str) -> OutgoingEmail:
    with tenancy.office_scope(office):
        mail = OutgoingEmail.objects.create(
            to=to, subject="Test", kind="test", body_text="text", body_html="<p>html</p>"
        )
        aged(OutgoingEmail.objects.filter(pk=mail.pk), created_at=True)
    return mail


def test_beat_sweep_without_office_sends_every_offices_mail_R_TEN_2(two_offices, mailoutbox):
    """R-TEN-2: the e-mail sweep run by beat (no office: production has no fallback) sends the
    pending e-mails of both offices, each inside its own office."""
    from portal.notifications.tasks import send_pending_email

    a, b = two_offices
    pending_mail(a, "klant@a.example")
    pending_mail(b, "klant@b.example")
    with tenancy.no_office():
        assert send_pending_email() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["klant@a.example", "klant@b.example"]
    with tenancy.cross_office():
        assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()


def test_digest_sweep_without_office_writes_each_mail_in_its_office_R_TEN_2(two_offices):
    """R-TEN-2: the digest sweep run with no office makes each client's e-mail in the client's
    office (the row's office, its sender)."""
    from portal.notifications.services import send_due_notifications

    a, b = two_offices
    for office in (a, b):
        with tenancy.office_scope(office):
            user = UserFactory(email="zelfde@example.test")
            PendingNotification.objects.create(user=user, event="document")
            aged(PendingNotification.objects.all(), created_at=True)
    with tenancy.no_office():
        assert send_due_notifications() == 2
    for office in (a, b):
        with tenancy.office_scope(office):
            mail = OutgoingEmail.objects.get(kind="notification")
            assert mail.office_id == office.pk
            assert office.email_sender in mail.from_email
            assert office.name in mail.body_text


def test_suspended_office_mail_is_held_R_TEN_2(two_offices, mailoutbox):
    """R-TEN-2, R-TEN-4: a suspended office's e-mail is held (kept pending, not sent) by the
    sweep and by its delivery task, and goes out once the office is resumed."""
    from portal.notifications.tasks import deliver_email, send_pending_email

    a, b = two_offices
    with tenancy.cross_office():
        Office.objects.filter(pk=b.pk).update(suspended_at=timezone.now())
    b.refresh_from_db()
    pending_mail(a, "klant@a.example")
    held = pending_mail(b, "klant@b.example")
    with tenancy.no_office():
        assert send_pending_email() == 1
    with tenancy.office_scope(b):
        deliver_email(held.pk)
        assert send_pending_email() == 0
        assert OutgoingEmail.objects.get(pk=held.pk).sent_at is None
    assert [m.to[0] for m in mailoutbox] == ["klant@a.example"]
    with tenancy.cross_office():
        Office.objects.filter(pk=b.pk).update(suspended_at=None)
    with tenancy.no_office():
        assert send_pending_email() == 1
    assert [m.to[0] for m in mailoutbox][-1] == "klant@b.example"


def test_every_beat_task_runs_without_office_R_TEN_2(two_offices, settings):
    """R-TEN-2: every task of CELERY_BEAT_SCHEDULE runs with no office in the context (as beat
    runs it in production, with no fallback office) and touches office data only inside an
    office's scope: none raises OfficeRequired."""
    a, b = two_offices
    for office in (a, b):
        pending_mail(office, f"klant@{office.pk}.example")
    ran = []
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        module, _, name = entry["task"].rpartition(".")
        task = getattr(import_module(module), name)
        with tenancy.no_office():
            task()
        ran.append(name)
    assert len(ran) == len(settings.CELERY_BEAT_SCHEDULE) >= 10


def test_prune_sweep_without_office_prunes_both_offices_R_TEN_2(two_offices):
    """R-TEN-2: the pruning sweep run with no office removes old sent e-mails in every office."""
    from portal.notifications.tasks import prune_sent_email

    a, b = two_offices
    for office in (a, b):
        with tenancy.office_scope(office):
            mail = OutgoingEmail.objects.create(to="x@example.test", subject="s", kind="test")
            aged(OutgoingEmail.objects.filter(pk=mail.pk), sent_at=True)
    with tenancy.no_office():
        assert prune_sent_email() == 2
    with tenancy.cross_office():
        assert not OutgoingEmail.objects.exists()


def test_office_base_url_uses_its_primary_host_R_TEN_2(two_offices, settings):
    """R-TEN-2: an office's links use its primary host with PORTAL_BASE_URL's scheme and port;
    an office without a primary host uses PORTAL_BASE_URL."""
    a, _b = two_offices
    settings.PORTAL_BASE_URL = "https://portaal.example:8443/"
    assert a.base_url == "https://a.example:8443"
    with tenancy.cross_office():
        bare = Office.objects.create(name="Zonder host")
    assert bare.base_url == "https://portaal.example:8443"


def test_invitation_mail_carries_its_office_R_TEN_2(two_offices, mailoutbox, settings):
    """R-TEN-2: an invitation made at office A links to A's host, shows A's name and logo on
    A's host, comes from A's sender with A's Reply-To; B's mail is B's."""
    from django.core.files.base import ContentFile

    from portal.accounts import services

    from .mail import html_part

    a, b = two_offices
    with tenancy.cross_office():
        a.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    for office in (a, b):
        with tenancy.office_scope(office):
            services.create_client(kind="person", name="Kees", email="kees@example.test")
            send_pending_now()
    mail_a, mail_b = mailoutbox
    assert "http://a.example:8000/welkom/" in mail_a.body
    assert "Notariaat Aalberts" in mail_a.body
    assert mail_a.from_email == "Notariaat Aalberts <post@a.example>"
    assert mail_a.reply_to == ["balie@a.example"]
    assert f'src="http://a.example:8000{a.logo_url}"' in html_part(mail_a)
    assert "http://b.example:8000/welkom/" in mail_b.body
    assert "a.example" not in mail_b.body + html_part(mail_b)
    assert mail_b.from_email == "Notariaat Bosman <post@b.example>"
    assert mail_b.reply_to == []


def send_pending_now() -> None:
    from portal.notifications.tasks import send_now

    for pk in OutgoingEmail.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
        send_now(pk)


def test_sms_uses_the_office_sender_and_none_when_suspended_R_TEN_2(
    two_offices, settings, tmp_path
):
    """R-TEN-2: an SMS goes out under the office's sender name (else SMS_FROM); a suspended
    office sends none."""
    from portal.notifications.sms import send_sms

    a, b = two_offices
    settings.SMS_BACKEND = "outbox"
    settings.SMS_DIR = tmp_path
    settings.SMS_FROM = "Standaard"
    with tenancy.office_scope(a):
        send_sms("+31612345678", "code A")
    with tenancy.office_scope(b):
        send_sms("+31612345678", "code B")
    texts = sorted(path.read_text() for path in tmp_path.glob("*.sms"))
    assert [t.splitlines()[1] for t in texts] == ["From: Aalberts", "From: Standaard"]
    Office.objects.filter(pk=b.pk).update(suspended_at=timezone.now())
    b.refresh_from_db()
    with tenancy.office_scope(b):
        send_sms("+31612345678", "code B2")
    assert len(list(tmp_path.glob("*.sms"))) == 2


def test_dev_outbox_shows_only_the_request_offices_mail_R_TEN_2(
    two_offices, client, settings, tmp_path
):
    """R-TEN-2: /dev/outbox/ at A's host lists A's e-mails and text messages only; B's message
    page is not found at A's host."""
    from portal.accounts import services
    from portal.notifications.sms import send_sms

    settings.DEBUG = True
    settings.EMAIL_BACKEND = "portal.notifications.backends.OutboxEmailBackend"
    settings.MAIL_DIR = tmp_path / "mail"
    settings.SMS_BACKEND = "outbox"
    settings.SMS_DIR = tmp_path / "sms"
    a, b = two_offices
    names = {}
    for office, email in ((a, "kees.a@example.test"), (b, "kees.b@example.test")):
        with tenancy.office_scope(office):
            services.create_client(kind="person", name="Kees", email=email)
            send_pending_now()
            send_sms("+3161234567" + str(office.pk % 10), f"sms-of-{office.name}")
        names[office.pk] = max((tmp_path / "mail").glob("*.eml")).name
    page = client.get("/dev/outbox/", HTTP_HOST="a.example").content.decode()
    assert "kees.a@example.test" in page
    assert "sms-of-Notariaat Aalberts" in page
    assert "kees.b@example.test" not in page
    assert "sms-of-Notariaat Bosman" not in page
    own = client.get(f"/dev/outbox/{names[a.pk]}/", HTTP_HOST="a.example")
    assert own.status_code == 200
    other = client.get(f"/dev/outbox/{names[b.pk]}/", HTTP_HOST="a.example")
    assert other.status_code == 404


def test_uploaded_files_go_under_the_office_prefix_R_TEN_2(two_offices):
    """R-TEN-2: a new document's file is stored under its office's prefix; a file stored
    before under the old name still opens."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from portal.documents import services as documents
    from portal.documents.models import Document

    from .factories import DossierFactory

    a, b = two_offices
    for office in (a, b):
        with tenancy.office_scope(office):
            dossier = DossierFactory()
            document = documents.publish_document(
                dossier=dossier, kind="document", title="Akte", file=ContentFile(b"x"), name="a"
            )
            assert document.file.name.startswith(f"office-{office.pk}/documents/")
            old = default_storage.save("documents/oldstyle0123", ContentFile(b"old"))
            Document.objects.filter(pk=document.pk).update(file=old)
            document.refresh_from_db()
            with document.file.open("rb") as handle:
                assert handle.read() == b"old"


def test_questionnaire_pdf_names_its_office_R_TEN_2(two_offices):
    """R-TEN-2: the questionnaire PDF shows the name of the office it was made for."""
    import io

    from pypdf import PdfReader

    from portal.questionnaires import services
    from portal.questionnaires.pdf import render_pdf

    from .factories import DossierFactory, StaffFactory, grant
    from .questionnaire_helpers import standard_template

    a, _b = two_offices
    with tenancy.office_scope(a):
        owner = UserFactory()
        dossier = DossierFactory()
        grant(dossier, owner.client)
        action = services.send_questionnaire(
            template=standard_template(), dossier=dossier, client=owner.client, by=StaffFactory()
        )
        data = render_pdf(action, language="nl")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Notariaat Aalberts" in text


def test_suspended_office_webhook_is_held_R_TEN_2(two_offices, monkeypatch):
    """R-TEN-2, R-TEN-4: a suspended office's webhook delivery is not attempted (no request);
    it stays waiting with no attempt, so the sweep queues it again after the office resumes."""
    import requests

    from portal.integrations.models import WebhookDelivery, WebhookEndpoint
    from portal.integrations.tasks import deliver_webhook

    def no_request(*args, **kwargs):
        raise AssertionError("a suspended office sent a webhook")

    monkeypatch.setattr(requests, "post", no_request)
    _a, b = two_offices
    Office.objects.filter(pk=b.pk).update(suspended_at=timezone.now())
    b.refresh_from_db()
    with tenancy.office_scope(b):
        endpoint = WebhookEndpoint.objects.create(office=b, url="https://hooks.b.example/")
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event="message.sent", payload={"event": "message.sent"}
        )
        assert deliver_webhook(delivery.pk) is False
        delivery.refresh_from_db()
    assert delivery.attempts == 0
    assert delivery.delivered_at is None


def test_sent_mail_does_not_name_the_office_id_R_TEN_2(two_offices, mailoutbox):
    """R-TEN-2: the office's id marks the development outbox's files only, never a message
    that leaves the portal."""
    a, _b = two_offices
    pending_mail(a, "klant@a.example")
    with tenancy.office_scope(a):
        send_pending_now()
    (message,) = mailoutbox
    assert "X-Portal-Office" not in message.message()
