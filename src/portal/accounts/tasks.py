"""Beat tasks of the accounts: removing single-use links and sessions that can no longer be
used, and the login logs once they are old (R-RET-4)."""

from __future__ import annotations

from importlib import import_module

from axes.models import AccessFailureLog, AccessLog
from celery import shared_task
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db.models import Q
from django.utils import timezone

from portal import pruning
from portal.offices.services import per_office

from .models import AccountToken


@shared_task
@per_office
def prune_account_links() -> int:
    """Delete invitation, set-password and login links used or expired more than
    ``PRUNE_ACCOUNT_LINK_DAYS`` ago. Until then a link that is opened again is still told apart
    as used or expired; after it, it is an unknown link. Returns the number deleted."""
    before = pruning.cutoff(settings.PRUNE_ACCOUNT_LINK_DAYS)
    old = AccountToken.objects.filter(Q(used_at__lt=before) | Q(expires_at__lt=before))
    return pruning.delete_in_batches(old, "account links")


@shared_task
def prune_sessions() -> int:
    """Delete expired sessions of the configured session engine. Sessions kept in the
    database (``db``, ``cached_db``) go in batches; other engines clear their own (a cache
    expires its keys by itself). Returns the number deleted from the database."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if issubclass(store, DatabaseSessionStore):
        expired = store.get_model_class().objects.filter(expire_date__lt=timezone.now())
        return pruning.delete_in_batches(expired, "expired sessions")
    store.clear_expired()
    return 0


@shared_task
def prune_login_logs() -> int:
    """Delete the login lockout's logs (successful logins, failed attempts: address, browser,
    the name typed) older than ``PRUNE_LOGIN_LOG_DAYS`` (R-RET-4). The lockout itself counts
    only within its cool-off time; the audit trail keeps the logins. Returns the number
    deleted."""
    before = pruning.cutoff(settings.PRUNE_LOGIN_LOG_DAYS)
    return pruning.delete_in_batches(
        AccessLog.objects.filter(attempt_time__lt=before), "login logs"
    ) + pruning.delete_in_batches(
        AccessFailureLog.objects.filter(attempt_time__lt=before), "failed login logs"
    )
