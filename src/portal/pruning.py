"""Deleting rows that have served their purpose, in batches: each statement holds its locks
briefly, and one run does bounded work (``PRUNE_BATCH_SIZE`` × ``PRUNE_MAX_BATCHES``); what is
left waits for the next run. Used by the prune beat tasks of the apps that own the rows."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

log = logging.getLogger(__name__)


def cutoff(days: int) -> datetime:
    """The moment before which a row is old enough to go."""
    return timezone.now() - timedelta(days=days)


def delete_in_batches(queryset: QuerySet, label: str) -> int:
    """Delete what ``queryset`` selects, at most ``PRUNE_BATCH_SIZE`` rows a statement and
    ``PRUNE_MAX_BATCHES`` statements a run. Logs and returns how many rows went."""
    model = queryset.model
    size = settings.PRUNE_BATCH_SIZE
    total = 0
    for _batch in range(settings.PRUNE_MAX_BATCHES):
        # Select the keys first: DELETE … LIMIT is not portable, and re-evaluating the filter
        # each round keeps rows that stopped matching (e.g. a retry started) out.
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:size])
        if not pks:
            break
        _count, per_model = model._base_manager.filter(pk__in=pks).delete()
        total += per_model.get(model._meta.label, 0)
        if len(pks) < size:
            break
    else:
        if queryset.exists():
            log.info("Pruning %s stopped at the cap of this run; the rest waits.", label)
    log.info("Pruned %d %s.", total, label, extra={"pruned": label, "count": total})
    return total
