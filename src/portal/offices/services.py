"""The office administrator's configuration of the office (R-ACC-5, R-X-6): its details,
branding and accessibility statement, and the dossier statuses. Every path goes through these,
so the audit trail follows."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, ParamSpec

from django.db import transaction
from django.utils import timezone

from portal.audit.services import record
from portal.core import tenancy

from .models import DossierStatus, Office, OfficeHost

if TYPE_CHECKING:  # for the signatures only
    from portal.accounts.models import User

log = logging.getLogger(__name__)

_P = ParamSpec("_P")


# The statuses a new office starts with (name, English name, counts as in progress); its
# administrator changes them in /beheer/.
# (name, English name, counts as in progress, closes the dossier)
DEFAULT_STATUSES = [
    ("Nieuw", "New", False, False),
    ("In behandeling", "In progress", True, False),
    ("Wacht op stukken", "Waiting for documents", True, False),
    ("Passeren gepland", "Signing scheduled", True, False),
    ("Afgerond", "Completed", False, True),
]


class HostTaken(ValueError):
    """A host name another office (or this one) is served on already."""


@transaction.atomic
def create_office(*, name: str, hosts: list[str], **fields: str) -> Office:
    """A new office (R-TEN-1, R-TEN-4): served on ``hosts`` (the first is the primary one, used
    in links made outside a request), with the default dossier statuses. A hosting path: the
    host names of every office are checked."""
    names = [host.lower().rstrip(".") for host in hosts]
    if not names:
        raise ValueError("An office needs at least one host name.")
    with tenancy.cross_office():
        taken = sorted(OfficeHost.objects.filter(name__in=names).values_list("name", flat=True))
        if taken or len(set(names)) != len(names):
            raise HostTaken(", ".join(taken) or "the same host name twice")
        office = Office(name=name, **fields)
        office.full_clean()
        office.save()
        for position, host in enumerate(names):
            row = OfficeHost(office=office, name=host, primary=position == 0)
            row.full_clean()
            row.save()
    with tenancy.office_scope(office):
        for position, (status, status_en, in_progress, closes) in enumerate(
            DEFAULT_STATUSES, start=1
        ):
            DossierStatus.objects.create(
                name=status,
                name_en=status_en,
                in_progress=in_progress,
                closes_dossier=closes,
                position=position,
            )
        record("office.created", target=office.name, hosts=names, actor_label="hosting")
    return office


@transaction.atomic
def set_suspended(*, office: Office, suspended: bool) -> bool:
    """Suspend an office (every page answers 503, nothing is sent, the data is kept) or
    resume it. Returns False when nothing changed."""
    if office.is_suspended == suspended:
        return False
    office.suspended_at = timezone.now() if suspended else None
    office.save(update_fields=["suspended_at"])
    with tenancy.office_scope(office):
        record(
            "office.suspended" if suspended else "office.resumed",
            target=office.name,
            actor_label="hosting",
        )
    return True


def is_suspended(office_id: int | None = None) -> bool:
    """Whether the office of ``office_id`` (default: the context's) is suspended now (R-TEN-4):
    read from the database, so a sender (e-mail, SMS, webhook) holds its message the moment the
    office is suspended, even in a task that loaded its office before."""
    if office_id is None:
        office = tenancy.chosen_office()
        office_id = office.pk if office is not None else None
    if office_id is None:
        return False
    return Office.objects.filter(pk=office_id, suspended_at__isnull=False).exists()


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
