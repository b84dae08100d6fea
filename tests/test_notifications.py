"""Notification e-mails (R-ME-3, R-X-5): per preference, one digest for events close together,
in the recipient's language with the office's branding, without any dossier content; the
Redis/Celery path with a real worker."""

from __future__ import annotations

import time
import uuid

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from portal.documents import services as documents
from portal.messaging import services as messaging
from portal.notifications.models import OutgoingEmail, PendingNotification
from portal.offices.models import Office
from portal.questionnaires.signals import questionnaire_sent

from .conftest import skip_or_fail
from .factories import DossierFactory, StaffFactory, UserFactory, grant
from .mail import html_part
from .pdfs import PDF

SECRET_TITLE = "Concept akte Geheimstraat 7"
SECRET_SUBJECT = "Uw hypotheekofferte Geheimbank"


@pytest.fixture
def setting(db):
    office = Office.current()
    office.name = "Notariskantoor Testmans"
    office.save()
    staff = StaffFactory()
    owner = UserFactory(email="owner@example.test", full_name="Jan de Vries")
    dossier = DossierFactory(number="2026.4242", description="Levering Geheimstraat 7")
    grant(dossier, owner.client)
    return staff, owner, dossier


def publish(dossier, title=SECRET_TITLE):
    return documents.publish_document(
        dossier=dossier, kind="document", title=title, file=ContentFile(PDF), name="akte.pdf"
    )


def office_message(dossier, staff, subject=SECRET_SUBJECT):
    return messaging.send_message(
        dossier=dossier, sender=staff, subject=subject, body="Zie bijlage."
    )


def notifications(mailoutbox):
    return [m for m in mailoutbox if "klaar" in m.subject or "waiting" in m.subject]


def test_each_event_notifies_the_clients_R_ME_3(setting, run, mailoutbox):
    """R-ME-3: a published document, a message from the handler and a sent questionnaire each
    give the dossier's client an e-mail (by default all are on)."""
    staff, owner, dossier = setting
    run(publish, dossier)
    run(office_message, dossier, staff)
    run(questionnaire_sent.send, sender=None, dossier=dossier)
    mails = notifications(mailoutbox)
    assert [m.to for m in mails] == [[owner.email]] * 3
    assert "nieuwe documenten" in mails[0].body
    assert "bericht" in mails[1].body
    assert "vragenlijst" in mails[2].body


def test_preferences_switch_notifications_off_R_ME_3(setting, client, run, mailoutbox):
    """R-ME-3: the three choices on Mijn gegevens; a choice off means no e-mail of that kind."""
    staff, owner, dossier = setting
    client.force_login(owner)
    page = client.get("/mijn-gegevens/").content.decode()
    assert "Notificaties" in page and page.count('type="checkbox"') == 3
    assert page.count("checked") == 3  # on by default
    client.post("/mijn-gegevens/notificaties/", {"messages": "on", "questionnaires": "on"})
    assert client.get("/mijn-gegevens/").content.decode().count("checked") == 2

    run(publish, dossier)
    assert notifications(mailoutbox) == []
    run(office_message, dossier, staff)
    assert len(notifications(mailoutbox)) == 1


def test_only_messages_from_the_office_notify_R_ME_3(setting, run, mailoutbox):
    """R-ME-3: "a message from the handler": the client's own message sends no notification."""
    _staff, owner, dossier = setting
    run(messaging.send_message, dossier=dossier, sender=owner, subject="Vraag", body="Hoi")
    assert notifications(mailoutbox) == []


def test_events_close_together_become_one_email_R_ME_3(setting, run, mailoutbox):
    """R-ME-3: several events before the digest goes out make ONE e-mail naming each kind."""
    staff, owner, dossier = setting

    def burst():
        publish(dossier)
        publish(dossier, title="Tweede stuk")
        office_message(dossier, staff)
        questionnaire_sent.send(sender=None, dossier=dossier)

    with transaction.atomic():
        run(burst)
    [mail] = notifications(mailoutbox)
    assert "nieuwe documenten" in mail.body
    assert "bericht" in mail.body
    assert "vragenlijst" in mail.body
    assert not PendingNotification.objects.exists()


def test_notification_has_no_dossier_content_R_X_5(setting, run, mailoutbox):
    """R-X-5: only that something waits, with a link: no number, description, title or subject;
    with the office's branding."""
    staff, owner, dossier = setting
    run(publish, dossier)
    run(office_message, dossier, staff)
    for mail in notifications(mailoutbox):
        html = html_part(mail)
        for part in (mail.subject, mail.body, html):
            for secret in (dossier.number, dossier.description, SECRET_TITLE, SECRET_SUBJECT):
                assert secret not in part
        assert "Notariskantoor Testmans" in mail.subject and "Notariskantoor Testmans" in html
        assert "http://127.0.0.1:8000/" in mail.body


def test_notification_in_the_recipients_language_R_ME_1_R_ME_3(setting, run, mailoutbox):
    """R-ME-1/R-ME-3: an English client gets the e-mail in English, a Dutch one in Dutch."""
    _staff, owner, dossier = setting
    english = UserFactory(email="en@example.test", language="en")
    grant(dossier, english.client)
    run(publish, dossier)
    by_address = {m.to[0]: m for m in notifications(mailoutbox)}
    assert by_address["en@example.test"].subject.startswith("Something is waiting for you")
    assert 'lang="en"' in html_part(by_address["en@example.test"])
    assert by_address[owner.email].subject.startswith("Er staat iets voor u klaar")


def test_company_accounts_are_all_notified_R_ME_3_R_ME_4(db, run, mailoutbox):
    """R-ME-3/R-ME-4: the main and extra accounts of a company each get the e-mail."""
    from .factories import ClientFactory

    company = ClientFactory(company=True)
    main = UserFactory(email="main@company.test", client=company)
    extra = UserFactory(email="extra@company.test", client=company, is_main_account=False)
    dossier = DossierFactory()
    grant(dossier, company)
    run(publish, dossier)
    assert sorted(m.to[0] for m in notifications(mailoutbox)) == sorted([main.email, extra.email])


def test_sweep_sends_what_a_lost_task_left_R_ME_3(setting, mailoutbox, settings):
    """R-ME-3: if the broker lost the digest task, the periodic sweep sends the e-mail."""
    from datetime import timedelta

    from django.utils import timezone

    from portal.notifications.services import send_due_notifications

    _staff, owner, _dossier = setting
    pending = PendingNotification.objects.create(user=owner, event="document")
    assert send_due_notifications() == 0  # still inside the window
    PendingNotification.objects.filter(pk=pending.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert send_due_notifications() == 1
    assert OutgoingEmail.objects.filter(kind="notification", to=owner.email).count() == 1
    assert "send-due-notifications" in settings.CELERY_BEAT_SCHEDULE


@pytest.mark.django_db(transaction=True)
def test_digest_through_redis_and_a_real_worker_R_ME_3(settings):
    """R-ME-3: with a Redis broker the digest task waits NOTIFICATION_DIGEST_SECONDS in a real
    Celery worker; three events in three transactions become one e-mail, delivered by the
    worker."""
    import redis
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        skip_or_fail("Redis is not running on 127.0.0.1:6379")
    settings.NOTIFICATION_DIGEST_SECONDS = 2
    staff = StaffFactory()
    owner = UserFactory(email="owner@example.test")
    dossier = DossierFactory()
    grant(dossier, owner.client)

    # A queue of this run only: another test run on the same Redis (a second checkout, CI
    # and a developer at once) must not take this run's tasks, nor this run take theirs.
    queue = f"klantportaal-test-{uuid.uuid4().hex}"
    saved = {
        key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")
    }
    app.conf.update(task_always_eager=False, broker_url=url, task_default_queue=queue)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            publish(dossier)  # autocommit: each its own transaction
            office_message(dossier, staff)
            questionnaire_sent.send(sender=None, dossier=dossier)
            assert not OutgoingEmail.objects.filter(kind="notification").exists()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                sent = OutgoingEmail.objects.filter(kind="notification", sent_at__isnull=False)
                if sent.exists():
                    break
                time.sleep(0.2)
            time.sleep(1)
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None
    mails = OutgoingEmail.objects.filter(kind="notification")
    assert mails.count() == 1
    assert mails.get().sent_at is not None
    assert not PendingNotification.objects.exists()
