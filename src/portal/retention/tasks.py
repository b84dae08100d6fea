"""Beat tasks: the daily retention sweep (R-RET-1) and the pruning of old audit entries
(R-RET-4)."""

from __future__ import annotations

from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from portal import pruning
from portal.audit.context import audit_context
from portal.audit.models import AuditEntry
from portal.core import tenancy
from portal.offices.services import per_office

from . import sweep


@shared_task
@per_office
def apply_retention() -> int:
    """Remove the portal's copies whose retention period is over, in each office (daily).
    Returns the number of rows removed (documents, messages, questionnaires)."""
    with audit_context():
        return sum(due.count for due in sweep.sweep())


def audit_cutoff() -> datetime:
    # Years of 365.25 days: leap days do not shift the cut by a day every four years.
    return timezone.now() - timedelta(days=round(365.25 * settings.AUDIT_RETENTION_YEARS))


@shared_task
def prune_audit_entries() -> int:
    """Delete audit entries older than ``AUDIT_RETENTION_YEARS`` (R-RET-4): the office's
    entries per office, and the hosting party's (no office) once. Returns the number deleted."""
    if tenancy.chosen_office() is not None:
        return _prune_office_audit()
    total = _prune_office_audit()  # per office (per_office below)
    with tenancy.cross_office():
        old = AuditEntry.objects.filter(office__isnull=True, at__lt=audit_cutoff())
        total += pruning.delete_in_batches(old, "hosting audit entries")
    return total


@per_office
def _prune_office_audit() -> int:
    old = AuditEntry.objects.filter(at__lt=audit_cutoff())
    return pruning.delete_in_batches(old, "audit entries")
