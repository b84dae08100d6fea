"""The retention sweep (R-RET-1): the portal's copies of closed dossiers go when their period
is over, unless the dossier is held.

What goes, per kind:

- correspondence, documents, supplied: the dossier's documents of that kind, except message
  attachments (they go with their message) and questionnaire PDFs (with the answers);
- messages: the messages with their attachments and read marks;
- answers: the questionnaires sent in the dossier (answers, the questionnaire as sent) with
  their result PDFs, and the approval requests (the answer, its remark). Upload requests stay
  (they hold the office's question only; the files supplied for them go with "supplied").

The rows go with Django's collector, so read marks, previews, upload-request links and the
API's changes feed follow, and a message's attachments go before the message that protects
them. A document's preview page images are listed for removal with its file.

Crash-safe and idempotent: one transaction per batch deletes the rows, writes the stored file
names to ``FileRemoval`` and leaves the audit record of what went; the files are removed after
the commit and their ``FileRemoval`` rows only then. A crash before the commit changes nothing;
after it, the next run removes the files still listed (a file already gone is fine). Nothing is
counted twice: a count is written only with the deletion of its rows. A run does bounded work
(``PRUNE_BATCH_SIZE`` × ``PRUNE_MAX_BATCHES`` rows per kind); the rest waits for the next day.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from portal.audit.services import record
from portal.documents.models import Document, DocumentPreview
from portal.dossiers.models import Dossier, LegalHold
from portal.messaging.models import Message
from portal.questionnaires.models import Action, SigningRequest

from .models import FileRemoval, Kind, RetentionRules
from .periods import closed_before, removal_date
from .services import current_rules, rules

log = logging.getLogger(__name__)

DOCUMENT_KINDS = {
    Kind.CORRESPONDENCE: Document.Kind.CORRESPONDENCE,
    Kind.DOCUMENTS: Document.Kind.DOCUMENT,
    Kind.SUPPLIED: Document.Kind.SUPPLIED,
}


# The actions whose content is the client's answer: questionnaires (answers, result PDF) and
# approval requests (the answer and its remark). Upload requests hold the office's question only.
ANSWERED_ACTIONS = [Action.Kind.QUESTIONNAIRE, Action.Kind.APPROVAL]


@dataclass(frozen=True)
class Due:
    """One dossier's content of one kind that is due (or went): no titles, no names."""

    dossier_id: int
    number: str
    kind: Kind
    count: int
    due_on: date


def due_dossiers(kind: Kind, periods: RetentionRules, today: date) -> QuerySet[Dossier]:
    """The dossiers whose ``kind`` content is due ``today``: closed before the period's start
    and not held."""
    return Dossier.objects.filter(
        closed_at__isnull=False, closed_at__lt=closed_before(periods.months(kind), today)
    ).exclude(pk__in=LegalHold.objects.filter(lifted_at__isnull=True).values("dossier_id"))


def content(kind: Kind, dossiers: QuerySet[Dossier]) -> QuerySet:
    """The rows of ``kind`` in ``dossiers``."""
    ids = dossiers.values("pk")
    if kind in DOCUMENT_KINDS:
        return Document.objects.filter(
            dossier__in=ids,
            kind=DOCUMENT_KINDS[kind],
            message__isnull=True,
            questionnaire__isnull=True,
        )
    if kind is Kind.MESSAGES:
        return Message.objects.filter(dossier__in=ids)
    return Action.objects.filter(dossier__in=ids, kind__in=ANSWERED_ACTIONS)


def plan(today: date | None = None) -> list[Due]:
    """What a run today would remove, per dossier and kind (``manage.py retention
    --dry-run``). Reads only."""
    today = today or timezone.localdate()
    periods = current_rules()  # never a write, not even the defaults' row
    found: list[Due] = []
    for kind in Kind:
        months = periods.months(kind)
        rows = (
            content(kind, due_dossiers(kind, periods, today))
            .order_by()
            .values("dossier_id", "dossier__number", "dossier__closed_at")
            .annotate(count=Count("pk"))
        )
        found += [
            Due(
                dossier_id=row["dossier_id"],
                number=row["dossier__number"],
                kind=kind,
                count=row["count"],
                due_on=removal_date(row["dossier__closed_at"], months),
            )
            for row in rows
        ]
    return sorted(found, key=lambda due: (due.number, list(Kind).index(due.kind)))


def sweep(today: date | None = None) -> list[Due]:
    """Remove what is due today in the context office; returns what went. Finishes what a
    crashed run left (files listed for removal) first."""
    today = today or timezone.localdate()
    remove_files()
    periods = rules()
    removed: list[Due] = []
    for kind in Kind:
        for _batch in range(settings.PRUNE_MAX_BATCHES):
            went = _remove_batch(kind, periods, today)
            remove_files()
            removed += went
            if not went:
                break
        else:
            log.info("Retention of %s stopped at the cap of this run; the rest waits.", kind)
    for kind in Kind:
        count = sum(due.count for due in removed if due.kind is kind)
        log.info(
            "Retention removed %d %s.", count, kind, extra={"retention": str(kind), "count": count}
        )
    return removed


@transaction.atomic
def _remove_batch(kind: Kind, periods: RetentionRules, today: date) -> list[Due]:
    rows = content(kind, due_dossiers(kind, periods, today)).order_by("pk")
    size = settings.PRUNE_BATCH_SIZE
    if kind in DOCUMENT_KINDS:
        picked = _still_due(list(rows.values_list("pk", "dossier_id")[:size]))
        _remove_documents([pk for pk, _dossier in picked])
        per_dossier = Counter(dossier for _pk, dossier in picked)
        extra: dict[int, int] = {}
    elif kind is Kind.MESSAGES:
        messages = _still_due(list(rows.values_list("pk", "dossier_id")[:size]))
        pks = [pk for pk, _dossier in messages]
        attachments = list(
            Document.objects.filter(message_id__in=pks).values_list("pk", "dossier_id")
        )
        # The attachments first: each protects its message.
        _remove_documents([pk for pk, _dossier in attachments])
        Message.objects.filter(pk__in=pks).delete()
        per_dossier = Counter(dossier for _pk, dossier in messages)
        extra = Counter(dossier for _pk, dossier in attachments)
    else:
        actions = _still_due(list(rows.values_list("pk", "dossier_id", "pdf_document_id")[:size]))
        pdfs = [pdf for _pk, _dossier, pdf in actions if pdf is not None]
        # The action first (its approval request goes with it): without it no sweep makes its
        # PDF again.
        Action.objects.filter(pk__in=[pk for pk, *_rest in actions]).delete()
        _remove_documents(pdfs)
        per_dossier = Counter(dossier for _pk, dossier, _pdf in actions)
        extra = Counter(dossier for _pk, dossier, pdf in actions if pdf is not None)
    if not per_dossier:
        return []
    months = periods.months(kind)
    went = []
    for dossier in Dossier.objects.filter(pk__in=per_dossier).order_by("pk"):
        assert dossier.closed_at is not None  # selected as closed, in this transaction
        due = Due(
            dossier_id=dossier.pk,
            number=dossier.number,
            kind=kind,
            count=per_dossier[dossier.pk],
            due_on=removal_date(dossier.closed_at, months),
        )
        # Content-free: the kind, how many, the rule and the dates; never a title or name.
        record(
            "retention.removed",
            dossier=dossier,
            target=dossier.number,
            kind=str(kind),
            count=due.count,
            rule=f"{kind}_months",
            months=months,
            closed_on=timezone.localdate(dossier.closed_at).isoformat(),
            due_on=due.due_on.isoformat(),
            files=due.count if kind in DOCUMENT_KINDS else extra.get(dossier.pk, 0),
        )
        went.append(due)
    return went


_Row = TypeVar("_Row", bound=tuple)


def _still_due(rows: list[_Row]) -> list[_Row]:
    """``rows`` (``(pk, dossier_id, …)``) whose dossier is, with its row locked, still closed
    and not held: a hold placed (or a dossier reopened) while this batch was selected either
    committed first and is seen here, or waits for this batch's commit (``place_hold`` locks
    the row too)."""
    dossiers = {row[1] for row in rows}
    if not dossiers:
        return rows
    locked = set(
        Dossier.objects.select_for_update()
        .filter(pk__in=dossiers, closed_at__isnull=False)
        .values_list("pk", flat=True)
    )
    held = set(
        LegalHold.objects.filter(dossier_id__in=dossiers, lifted_at__isnull=True).values_list(
            "dossier_id", flat=True
        )
    )
    return [row for row in rows if row[1] in locked - held]


def _remove_documents(pks: list[int]) -> None:
    """Delete documents with what hangs off them, their files and their preview's page images
    listed for removal first (in the same transaction)."""
    if not pks:
        return
    _queue(Document.objects.filter(pk__in=pks).values_list("file", flat=True))
    for preview in DocumentPreview.objects.filter(document_id__in=pks).only(
        "office_id", "key", "page_count"
    ):
        _queue(preview.page_name(n) for n in range(1, preview.page_count + 1))
    # A signing request hangs off the document it asks to sign (its evidence is in the signed
    # PDF, a document of its own): it goes with its signers' items under "Acties".
    Action.objects.filter(signer__request__document_id__in=pks).delete()
    SigningRequest.objects.filter(document_id__in=pks).delete()
    Document.objects.filter(pk__in=pks).delete()


def _queue(names: Iterable[str]) -> None:
    FileRemoval.objects.bulk_create(
        [FileRemoval(name=name) for name in names if name],
        batch_size=1000,
    )


def remove_files() -> int:
    """Remove the stored files listed for removal, then their rows; returns how many. A file
    already gone is fine (a run that crashed after removing it)."""
    removed = 0
    size = settings.PRUNE_BATCH_SIZE
    for _batch in range(settings.PRUNE_MAX_BATCHES):
        listed = list(FileRemoval.objects.order_by("pk").values_list("pk", "name")[:size])
        for _pk, name in listed:
            default_storage.delete(name)
        FileRemoval.objects.filter(pk__in=[pk for pk, _name in listed]).delete()
        removed += len(listed)
        if len(listed) < size:
            break
    return removed
