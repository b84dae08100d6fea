"""The office administrator's configuration of the office (R-ACC-5, R-X-6): its details,
branding and accessibility statement, and the dossier statuses. Every path goes through these,
so the audit trail follows."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, ParamSpec

from django.db import transaction

from portal.audit.services import record
from portal.core import tenancy

from .models import DossierStatus, Office

if TYPE_CHECKING:  # for the signatures only
    from portal.accounts.models import User

log = logging.getLogger(__name__)

_P = ParamSpec("_P")


@transaction.atomic
def save_office(*, office: Office, fields: list[str], by: User | None = None) -> None:
    """Save the office's details; ``fields``: the names of those that changed. A replaced or
    cleared logo is deleted once the change is committed: nothing refers to it any more."""
    previous = Office.objects.filter(pk=office.pk).values_list("logo", flat=True).first()
    office.save()
    if previous and previous != office.logo.name:
        storage = office.logo.storage
        transaction.on_commit(lambda: storage.delete(previous))
    record("office.changed", actor=by, target=office.name, fields=sorted(fields))


@transaction.atomic
def save_status(*, status: DossierStatus, fields: list[str], by: User | None = None) -> None:
    """Add or change a dossier status; ``fields``: the names of those that changed."""
    created = status.pk is None
    status.save()
    record(
        "status.created" if created else "status.changed",
        actor=by,
        target=status.name,
        fields=sorted(fields),
    )


@transaction.atomic
def delete_status(*, status: DossierStatus, by: User | None = None) -> None:
    record("status.deleted", actor=by, target=status.name)
    status.delete()


def each_office() -> Iterator[Office]:
    """For a sweep queued with no office (celery beat): every office that is not suspended,
    each yielded inside its own scope (``portal.core.tenancy``)."""
    with tenancy.cross_office():
        offices = list(Office.objects.filter(suspended_at__isnull=True).order_by("pk"))
    for office in offices:
        with tenancy.office_scope(office):
            yield office


def per_office(sweep: Callable[_P, int]) -> Callable[_P, int]:
    """A beat sweep (or a command running one) works per office: run with an office chosen
    (queued by that office, a test's scope) it does that office's rows; run with none (celery
    beat, where production has no fallback office) it runs once for every office that is not
    suspended, each in its own scope, and returns the sum. A suspended office's rows wait:
    nothing is sent for it, and what is queued goes out when it is resumed."""

    @functools.wraps(sweep)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> int:
        if tenancy.chosen_office() is not None:
            return sweep(*args, **kwargs)
        return sum(sweep(*args, **kwargs) for _office in each_office())

    return run


def is_suspended() -> bool:
    """Is the context's office suspended? Nothing is sent for it (R-TEN-4). Reads the office
    of the context as loaded for this request or task: no query."""
    office = tenancy.chosen_office()
    return bool(office is not None and getattr(office, "suspended_at", None) is not None)
