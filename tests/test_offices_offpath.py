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
