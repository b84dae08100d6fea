"""Pruning (issue 16 item 9): rows that have served their purpose are deleted after their
retention, in bounded batches, by beat tasks and by ``manage.py prune``; pending work and the
audit trail are kept. time-machine is not in the lock file: ages are set with explicit
timestamps."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from portal.accounts.models import AccountToken
from portal.accounts.tasks import prune_account_links, prune_login_logs, prune_sessions
from portal.audit.models import AuditEntry
from portal.audit.services import record
from portal.exports.models import DataExport
from portal.integrations.models import (
    Change,
    IdempotencyRecord,
    WebhookDelivery,
    WebhookEndpoint,
)
from portal.integrations.tasks import prune_idempotency_records, prune_webhook_deliveries
from portal.notifications.models import OutgoingEmail
from portal.notifications.tasks import prune_sent_email
from portal.offices.models import Office
from portal.twofactor.models import SmsCodeSent
from portal.twofactor.tasks import prune_sms_codes_sent
from tests.api_helpers import Api, make_token
from tests.factories import StaffFactory, UserFactory

DAY = timedelta(days=1)


def ago(days: float):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def retention(settings):
    settings.PRUNE_IDEMPOTENCY_DAYS = 30
    settings.PRUNE_WEBHOOK_DELIVERY_DAYS = 30
    settings.PRUNE_SENT_EMAIL_DAYS = 90
    settings.PRUNE_ACCOUNT_LINK_DAYS = 30
    settings.WEBHOOK_MAX_RETRIES = 8
    return settings


@pytest.fixture
def token(db):
    return make_token(StaffFactory())[0]


def idempotency_record(token, key: str, days_old: float) -> IdempotencyRecord:
    made = IdempotencyRecord.objects.create(
        token=token,
        key=key,
        method="POST",
        path="/api/v1/clients/",
        request_hash="0" * 64,
        response_status=201,
        response_body={"id": 1},
    )
    IdempotencyRecord.objects.filter(pk=made.pk).update(created_at=ago(days_old))
    return made


def delivery(endpoint, days_old: float, **fields) -> WebhookDelivery:
    made = WebhookDelivery.objects.create(
        endpoint=endpoint, event="message.sent", payload={"event": "message.sent"}, **fields
    )
    WebhookDelivery.objects.filter(pk=made.pk).update(created_at=ago(days_old))
    return made


def email(sent_days_ago: float | None, **fields) -> OutgoingEmail:
    sent_at = ago(sent_days_ago) if sent_days_ago is not None else None
    return OutgoingEmail.objects.create(
        to="jan@example.test", subject="Nieuw document", kind="digest", sent_at=sent_at, **fields
    )


def link(user, *, expires_days_from_now: float, used_days_ago: float | None = None):
    return AccountToken.objects.create(
        user=user,
        purpose=AccountToken.Purpose.INVITATION,
        token_hash=f"{AccountToken.objects.count():064d}",
        expires_at=timezone.now() + timedelta(days=expires_days_from_now),
        used_at=ago(used_days_ago) if used_days_ago is not None else None,
    )


def session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() + expires_in)
    return store.session_key


def pks(model) -> set[int]:
    return set(model.objects.values_list("pk", flat=True))


def test_old_idempotency_records_go_recent_ones_stay(retention, token):
    """R-OFF-6, issue 16 item 9: a stored response older than PRUNE_IDEMPOTENCY_DAYS is
    deleted; within the window it stays, so a repeated key still gets the first response."""
    old = idempotency_record(token, "old", 31)
    recent = idempotency_record(token, "recent", 29)
    assert prune_idempotency_records() == 1
    assert pks(IdempotencyRecord) == {recent.pk}
    assert old.pk not in pks(IdempotencyRecord)


def test_repeat_within_the_window_replays_after_pruning(retention, db):
    """R-OFF-6, issue 16 item 9: pruning never shortens the documented guarantee: a key first
    used one day short of PRUNE_IDEMPOTENCY_DAYS ago, repeated after a prune, still gets the
    first response and creates nothing twice."""
    token, raw = make_token(StaffFactory())
    api = Api(raw)
    data = {"kind": "person", "name": "Eenmalig", "email": "een@example.test"}
    headers = {"Idempotency-Key": "crm-4711"}
    first = api.post("/api/v1/clients/", data, headers=headers)
    assert first.status_code == 201
    IdempotencyRecord.objects.update(created_at=ago(retention.PRUNE_IDEMPOTENCY_DAYS - 1))
    prune_idempotency_records()
    second = api.post("/api/v1/clients/", data, headers=headers)
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()


def test_finished_webhook_deliveries_go_pending_ones_stay(retention, db):
    """R-OFF-6, issue 16 item 9: deliveries older than PRUNE_WEBHOOK_DELIVERY_DAYS that were
    delivered or given up (more attempts than WEBHOOK_MAX_RETRIES) are deleted; one never tried
    or still being retried is kept whatever its age, and a recent finished one stays."""
    endpoint = WebhookEndpoint.objects.create(office=Office.current(), url="https://x.test/h")
    delivered = delivery(endpoint, 31, attempts=1, delivered_at=ago(31), last_status=200)
    given_up = delivery(endpoint, 31, attempts=9, last_status=500, last_error="HTTP 500")
    never_tried = delivery(endpoint, 31)
    retrying = delivery(endpoint, 31, attempts=8, last_status=500, last_error="HTTP 500")
    recent = delivery(endpoint, 29, attempts=1, delivered_at=ago(29), last_status=200)
    assert prune_webhook_deliveries() == 2
    assert pks(WebhookDelivery) == {never_tried.pk, retrying.pk, recent.pk}
    assert not {delivered.pk, given_up.pk} & pks(WebhookDelivery)


def test_sent_email_goes_pending_and_retrying_stay(retention, db):
    """R-ME-3, issue 16 item 9: e-mails sent more than PRUNE_SENT_EMAIL_DAYS ago are deleted;
    a recent one stays, and one never sent (pending, or failed and waiting for a retry) stays
    whatever its age."""
    old_sent = email(91, attempts=1)
    recent_sent = email(89, attempts=1)
    pending = email(None)
    failing = email(None, attempts=5, last_error="SMTPServerDisconnected")
    OutgoingEmail.objects.filter(pk__in=[pending.pk, failing.pk]).update(created_at=ago(400))
    assert prune_sent_email() == 1
    assert pks(OutgoingEmail) == {recent_sent.pk, pending.pk, failing.pk}
    assert old_sent.pk not in pks(OutgoingEmail)


def test_used_and_expired_links_go_outstanding_ones_stay(retention, db):
    """R-ACC-1, issue 16 item 9: links used or expired more than PRUNE_ACCOUNT_LINK_DAYS ago
    are deleted; a link still valid, or used or expired recently, stays."""
    user = UserFactory()
    used_long_ago = link(user, expires_days_from_now=-28, used_days_ago=31)
    expired_long_ago = link(user, expires_days_from_now=-31)
    outstanding = link(user, expires_days_from_now=2)
    used_recently = link(user, expires_days_from_now=2, used_days_ago=1)
    expired_recently = link(user, expires_days_from_now=-29)
    assert prune_account_links() == 2
    assert pks(AccountToken) == {outstanding.pk, used_recently.pk, expired_recently.pk}
    assert not {used_long_ago.pk, expired_long_ago.pk} & pks(AccountToken)


@pytest.mark.parametrize(
    "engine",
    ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"],
)
def test_expired_sessions_go_live_ones_stay(settings, db, engine):
    """R-ACC-6, issue 16 item 9: expired sessions are deleted from the database, with the
    database and the cached-database session engines; a live session stays."""
    settings.SESSION_ENGINE = engine
    expired = session(-timedelta(minutes=1))
    live = session(timedelta(hours=1))
    assert prune_sessions() == 1
    assert set(Session.objects.values_list("pk", flat=True)) == {live}
    assert expired != live


def test_sessions_outside_the_database_are_left_to_their_engine(settings, db):
    """Issue 16 item 9: with a cache session engine there is no table to prune; the task asks
    the engine (a no-op) and touches no database session."""
    kept = session(-timedelta(minutes=1))
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    assert prune_sessions() == 0
    assert Session.objects.filter(pk=kept).exists()


def test_deletes_in_bounded_batches(retention, settings, db):
    """Issue 16 item 9: one run deletes at most PRUNE_BATCH_SIZE × PRUNE_MAX_BATCHES rows, a
    batch per statement; the next run takes the rest."""
    settings.PRUNE_BATCH_SIZE = 2
    settings.PRUNE_MAX_BATCHES = 2
    for _ in range(5):
        email(100)
    assert prune_sent_email() == 4
    assert OutgoingEmail.objects.count() == 1
    assert prune_sent_email() == 1
    assert OutgoingEmail.objects.count() == 0


def test_pruning_logs_the_count(retention, db, caplog):
    """Issue 16 item 9: each run logs how many rows of which kind went."""
    email(100)
    with caplog.at_level("INFO", logger="portal.pruning"):
        prune_sent_email()
    assert any(
        getattr(r, "pruned", None) == "sent e-mails" and getattr(r, "count", None) == 1
        for r in caplog.records
    )


def test_prune_command_runs_every_kind(retention, token):
    """R-OFF-6, R-ME-3, R-ACC-1, R-RET-4, issue 16 item 9: ``manage.py prune`` (installs
    without beat) removes an old row of every kind and reports each count; an audit entry
    within AUDIT_RETENTION_YEARS stays."""
    endpoint = WebhookEndpoint.objects.create(office=Office.current(), url="https://x.test/h")
    idempotency_record(token, "old", 31)
    delivery(endpoint, 31, attempts=1, delivered_at=ago(31))
    email(91)
    link(UserFactory(), expires_days_from_now=-31)
    session(-timedelta(minutes=1))
    DataExport.objects.create(
        user=UserFactory(), status=DataExport.Status.READY, expires_at=ago(0.01)
    )
    entry = record("dossier.created", target="kept")
    AuditEntry.objects.filter(pk=entry.pk).update(at=ago(6 * 365))
    too_old = record("dossier.created", target="old")
    AuditEntry.objects.filter(pk=too_old.pk).update(at=ago(4000))
    # The changes the rows above made stay; one change older than CHANGES_RETENTION_DAYS goes.
    old_change = Change.objects.create(
        office=Office.current(), resource="dossier", object_id=1, action="created"
    )
    Change.objects.filter(pk=old_change.pk).update(at=ago(31))
    old_login = AccessLog.objects.create(user_agent="x", ip_address="10.0.0.1", username="a")
    AccessLog.objects.filter(pk=old_login.pk).update(attempt_time=ago(91))
    old_sms = SmsCodeSent.objects.create(number="+31612345678")
    SmsCodeSent.objects.filter(pk=old_sms.pk).update(sent_at=ago(2))
    out = io.StringIO()
    call_command("prune", stdout=out)
    kinds = (IdempotencyRecord, WebhookDelivery, OutgoingEmail, AccountToken, Session, AccessLog)
    for model in (*kinds, SmsCodeSent, DataExport):
        assert not model.objects.exists(), model
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert not Change.objects.filter(pk=old_change.pk).exists()
    lines = out.getvalue().splitlines()
    assert lines == [
        "idempotency records: 1 deleted",
        "webhook deliveries: 1 deleted",
        "changes: 1 deleted",
        "sent e-mails: 1 deleted",
        "account links: 1 deleted",
        "expired sessions: 1 deleted",
        "data exports: 1 deleted",
        "login logs: 1 deleted",
        "SMS codes sent: 1 deleted",
        "audit entries: 1 deleted",
    ]


def test_beat_schedule_lists_every_prune_task(settings):
    """Issue 16 item 9: beat runs each prune task, and each scheduled name is a registered
    Celery task (a typo would make beat send a task no worker knows)."""
    from portal.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    expected = {
        "portal.integrations.tasks.prune_idempotency_records",
        "portal.integrations.tasks.prune_webhook_deliveries",
        "portal.integrations.tasks.prune_changes",
        "portal.notifications.tasks.prune_sent_email",
        "portal.accounts.tasks.prune_account_links",
        "portal.accounts.tasks.prune_sessions",
        "portal.accounts.tasks.prune_login_logs",
        "portal.twofactor.tasks.prune_sms_codes_sent",
        "portal.retention.tasks.prune_audit_entries",
        "portal.retention.tasks.apply_retention",
        "portal.exports.tasks.prune_exports",
    }
    assert expected <= scheduled
    app.loader.import_default_modules()
    assert expected <= set(app.tasks)


def test_retention_must_be_at_least_a_day(monkeypatch):
    """R-OFF-6, issue 16 item 9: a retention below one day (which would break the
    idempotency window promised to integrators) is refused at start-up with a clear message."""
    from portal.settings import env_at_least

    monkeypatch.setenv("PRUNE_IDEMPOTENCY_DAYS", "0")
    with pytest.raises(ImproperlyConfigured, match="PRUNE_IDEMPOTENCY_DAYS must be at least 1"):
        env_at_least("PRUNE_IDEMPOTENCY_DAYS", 30)
    monkeypatch.setenv("PRUNE_IDEMPOTENCY_DAYS", "7")
    assert env_at_least("PRUNE_IDEMPOTENCY_DAYS", 30) == 7


def test_audit_entries_older_than_the_configured_years_go_R_RET_4(settings, db):
    """R-RET-4: audit entries older than AUDIT_RETENTION_YEARS are deleted, the office's and
    the hosting party's (no office); younger ones stay, of both."""
    from portal.core import tenancy
    from portal.retention.tasks import prune_audit_entries

    settings.AUDIT_RETENTION_YEARS = 2
    young = record("dossier.created", target="young")
    old = record("dossier.created", target="old")
    AuditEntry.objects.filter(pk=young.pk).update(at=ago(2 * 365 - 2))
    AuditEntry.objects.filter(pk=old.pk).update(at=ago(2 * 365 + 2))
    with tenancy.cross_office():
        hosting_old = AuditEntry.objects.create(action="office.created", target="x", office=None)
        hosting_young = AuditEntry.objects.create(action="office.created", target="y", office=None)
        AuditEntry.objects.filter(pk=hosting_old.pk).update(at=ago(2 * 365 + 2))
    with tenancy.no_office():  # as beat runs it: every office, and the hosting entries
        assert prune_audit_entries() == 2
    with tenancy.cross_office():
        left = set(AuditEntry.objects.values_list("pk", flat=True))
    assert {young.pk, hosting_young.pk} <= left
    assert not {old.pk, hosting_old.pk} & left


def test_audit_retention_is_at_least_a_year(monkeypatch):
    """R-RET-4: AUDIT_RETENTION_YEARS below one is refused at start-up."""
    from portal.settings import env_at_least

    monkeypatch.setenv("AUDIT_RETENTION_YEARS", "0")
    with pytest.raises(ImproperlyConfigured, match="AUDIT_RETENTION_YEARS must be at least 1"):
        env_at_least("AUDIT_RETENTION_YEARS", 7)


def test_old_login_logs_go_recent_ones_stay_R_RET_4(settings, db):
    """R-RET-4: the lockout's logs of logins and failed attempts (address, browser, name
    typed) older than PRUNE_LOGIN_LOG_DAYS are deleted; recent ones stay."""
    settings.PRUNE_LOGIN_LOG_DAYS = 90
    attempt = {"user_agent": "x", "ip_address": "10.0.0.1", "username": "a@b.test"}
    old, recent = AccessLog.objects.create(**attempt), AccessLog.objects.create(**attempt)
    failed_old = AccessFailureLog.objects.create(**attempt, locked_out=False)
    failed_recent = AccessFailureLog.objects.create(**attempt, locked_out=False)
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=ago(91))
    AccessLog.objects.filter(pk=recent.pk).update(attempt_time=ago(89))
    AccessFailureLog.objects.filter(pk=failed_old.pk).update(attempt_time=ago(91))
    AccessFailureLog.objects.filter(pk=failed_recent.pk).update(attempt_time=ago(89))
    assert prune_login_logs() == 2
    assert pks(AccessLog) == {recent.pk}
    assert pks(AccessFailureLog) == {failed_recent.pk}


def test_sms_codes_sent_go_after_a_day_R_RET_4(db):
    """R-RET-4: the record of SMS codes sent (a phone number, a time) only limits codes per
    hour: older than a day it is deleted; the last hour's stays."""
    old = SmsCodeSent.objects.create(number="+31612345678")
    recent = SmsCodeSent.objects.create(number="+31612345678")
    SmsCodeSent.objects.filter(pk=old.pk).update(sent_at=ago(1.1))
    assert prune_sms_codes_sent() == 1
    assert pks(SmsCodeSent) == {recent.pk}
