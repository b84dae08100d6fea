"""The office's retention periods (R-RET-1): read, changed (audited), and what they mean for
one dossier (the workspace's "wordt verwijderd op")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.audit.services import record
from portal.dossiers.models import Dossier, LegalHold
from portal.offices.models import Office

from .models import Kind, RetentionRules
from .periods import removal_date

if TYPE_CHECKING:  # for the signatures only
    from portal.accounts.models import User


def rules() -> RetentionRules:
    """The context office's retention periods, made with the defaults when it has none yet
    (the defaults are no one's choice: making the row is not audited)."""
    found = RetentionRules.objects.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return RetentionRules.objects.create()
    except IntegrityError:  # made by a parallel request or run
        return RetentionRules.objects.get()


def current_rules() -> RetentionRules:
    """The periods to show: the stored ones, or the defaults (unsaved) when the office has
    none yet. One query, never a write (a page may call it)."""
    return RetentionRules.objects.first() or RetentionRules()


@transaction.atomic
def save_rules(*, rules: RetentionRules, fields: list[str], by: User | None = None) -> None:
    """Change the periods; ``fields``: the names of those that changed (before and after are
    recorded, numbers only)."""
    before = RetentionRules.objects.filter(pk=rules.pk).values(*fields).first() or {}
    rules.save()
    record(
        "retention.rules_changed",
        actor=by,
        target=Office.current().name,
        fields=sorted(fields),
        changes={name: [before.get(name), getattr(rules, name)] for name in sorted(fields)},
    )


@dataclass(frozen=True)
class Removal:
    kind: Kind
    months: int
    on: date

    @property
    def due(self) -> bool:
        """The day has come: removed by the daily run of that day (or already)."""
        return self.on <= timezone.localdate()


@dataclass(frozen=True)
class DossierRetention:
    """What retention will do with a dossier: nothing while it is open, nothing while held,
    else remove each kind on its date."""

    closed_at: datetime | None
    hold: LegalHold | None
    removals: list[Removal] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def earliest(self) -> date | None:
        return min((r.on for r in self.removals), default=None)

    @property
    def all_due(self) -> bool:
        return bool(self.removals) and all(r.due for r in self.removals)

    @property
    def same_date(self) -> bool:
        return len({r.on for r in self.removals}) == 1


def for_dossier(dossier: Dossier) -> DossierRetention:
    """The dossier's retention as staff see it. Two queries whatever the data: the periods
    and the active hold with who placed it."""
    hold = (
        LegalHold.objects.filter(dossier=dossier, lifted_at__isnull=True)
        .select_related("placed_by")
        .first()
    )
    periods = current_rules()
    if dossier.closed_at is None:
        return DossierRetention(closed_at=None, hold=hold)
    removals = [
        Removal(
            kind=kind,
            months=periods.months(kind),
            on=removal_date(dossier.closed_at, periods.months(kind)),
        )
        for kind in Kind
    ]
    return DossierRetention(closed_at=dossier.closed_at, hold=hold, removals=removals)
