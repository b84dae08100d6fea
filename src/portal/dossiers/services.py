"""Dossier actions (R-OFF-1/2): one path for the staff workspace, the API and the demo data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum, auto

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import Client, User
from portal.audit.services import record
from portal.offices.models import DossierStatus

from .models import Dossier, DossierAccess, LegalHold, ProgressStep


@transaction.atomic
def create_dossier(
    *,
    number: str,
    description: str,
    status: DossierStatus,
    handler: User | None = None,
    by: User | None = None,
) -> Dossier:
    dossier = Dossier.objects.create(
        number=number,
        description=description,
        status=status,
        handler=handler,
        closed_at=timezone.now() if status.closes_dossier else None,
    )
    record("dossier.created", actor=by, dossier=dossier, target=dossier.number)
    return dossier


class _Unchanged(Enum):
    UNCHANGED = auto()


_UNCHANGED = _Unchanged.UNCHANGED


@transaction.atomic
def update_dossier(
    *,
    dossier: Dossier,
    description: str | _Unchanged = _UNCHANGED,
    status: DossierStatus | _Unchanged = _UNCHANGED,
    handler: User | None | _Unchanged = _UNCHANGED,
    by: User | None = None,
) -> list[str]:
    """Change a dossier's description, status and/or handler (R-OFF-1); what is not given stays
    as it is. Records the changes (old and new) and returns the changed fields' names; nothing
    is recorded when nothing changed."""
    changes: dict[str, list[str]] = {}
    extra: list[str] = []
    if description is not _UNCHANGED and description != dossier.description:
        changes["description"] = [dossier.description, description]
        dossier.description = description
    if status is not _UNCHANGED and status.pk != dossier.status_id:
        changes["status"] = [str(dossier.status), str(status)]
        dossier.status = status
        closed_at = _closed_at(dossier, status)
        if closed_at != dossier.closed_at:
            dossier.closed_at = closed_at
            extra.append("closed_at")
    if handler is not _UNCHANGED and getattr(handler, "pk", None) != dossier.handler_id:
        changes["handler"] = [str(dossier.handler or ""), str(handler or "")]
        dossier.handler = handler
    if changes:
        dossier.save(update_fields=[*changes, *extra, "updated_at"])
        record(
            "dossier.updated",
            actor=by,
            dossier=dossier,
            target=dossier.number,
            changes=changes,
        )
    return list(changes)


def _closed_at(dossier: Dossier, status: DossierStatus) -> datetime | None:
    """When ``dossier`` counts as closed once it has ``status`` (R-RET-1): from now when the
    status closes it (a closed dossier moved to another final status keeps its moment), and not
    at all when the status is an open one."""
    if not status.closes_dossier:
        return None
    return dossier.closed_at or timezone.now()


def active_hold(dossier: Dossier) -> LegalHold | None:
    """The hold that keeps ``dossier`` from removal, if any (R-RET-1)."""
    return LegalHold.objects.filter(dossier=dossier, lifted_at__isnull=True).first()


@transaction.atomic
def place_hold(*, dossier: Dossier, reason: str, by: User | None = None) -> LegalHold:
    """Stop every removal of ``dossier``'s portal copies, and the erasure of its clients, until
    the hold is lifted (R-RET-1, R-RET-3). One active hold per dossier: placing a second one
    returns the first."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A hold needs a reason")
    # The dossier's row lock orders this with a retention batch removing its content (which
    # locks the row too and checks for a hold after): the hold is either seen or waits.
    Dossier.objects.select_for_update().filter(pk=dossier.pk).values_list("pk").first()
    held = active_hold(dossier)
    if held is not None:
        return held
    hold = LegalHold.objects.create(dossier=dossier, reason=reason, placed_by=by)
    record("dossier.hold_placed", actor=by, dossier=dossier, target=dossier.number)
    return hold


@transaction.atomic
def lift_hold(*, dossier: Dossier, by: User | None = None) -> bool:
    """Lift ``dossier``'s hold; False when it had none."""
    lifted = LegalHold.objects.filter(dossier=dossier, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=by
    )
    if lifted:
        record("dossier.hold_lifted", actor=by, dossier=dossier, target=dossier.number)
    return bool(lifted)


# A step as the callers give it: (title, done), or (title, done, id of an existing step).
StepInput = tuple[str, bool] | tuple[str, bool, int | None]


def _match_steps(
    existing: list[ProgressStep], steps: Sequence[StepInput]
) -> list[ProgressStep | None]:
    """For each wanted step, the existing step it continues, or None for a new one.

    A caller that knows the ids (the workspace form) passes them: steps match by id only, and
    a step without one is new. Otherwise (the API, the demo data) a step continues one with the
    same title, the one at the same place first; else the unclaimed one at the same place (a
    step renamed where it stands)."""
    taken: set[int] = set()
    matched: list[ProgressStep | None] = [None] * len(steps)

    def claim(i: int, step: ProgressStep | None) -> None:
        if step is not None and step.pk not in taken:
            taken.add(step.pk)
            matched[i] = step

    ids = [wanted[2] if len(wanted) > 2 else None for wanted in steps]
    if any(pk is not None for pk in ids):
        by_id = {step.pk: step for step in existing}
        for i, pk in enumerate(ids):
            claim(i, by_id.get(pk) if pk is not None else None)
        return matched
    for i, wanted in enumerate(steps):
        if i < len(existing) and existing[i].title == wanted[0]:
            claim(i, existing[i])
    for i, wanted in enumerate(steps):
        if matched[i] is None:
            claim(
                i, next((s for s in existing if s.title == wanted[0] and s.pk not in taken), None)
            )
    for i in range(min(len(steps), len(existing))):
        if matched[i] is None:
            claim(i, existing[i])
    return matched


@transaction.atomic
def set_progress(*, dossier: Dossier, steps: Sequence[StepInput], by: User | None = None) -> bool:
    """Make the dossier's progress list ``steps`` (title, done[, id]), in that order (R-OFF-2).

    Existing steps are kept where they continue (see ``_match_steps``), so a step that stays
    done keeps its ``done_at`` (which the API shows); a step ticked off gets the time now, one
    unticked loses it. A change is recorded with the list before and after (titles and done
    flags) and moves ``dossier.updated_at``, so ``updated_since`` finds it. Returns whether
    anything changed; nothing is written or recorded when nothing did."""
    existing = list(dossier.steps.all())
    before = [[step.title, step.done] for step in existing]
    after = [[title, bool(done)] for title, done, *_id in steps]
    now = timezone.now()
    matched = _match_steps(existing, steps)
    changed: list[ProgressStep] = []
    new: list[ProgressStep] = []
    for position, (step, (title, done, *_id)) in enumerate(
        zip(matched, steps, strict=True), start=1
    ):
        done = bool(done)
        if step is None:
            new.append(
                ProgressStep(
                    dossier=dossier,
                    position=position,
                    title=title,
                    done=done,
                    done_at=now if done else None,
                )
            )
            continue
        done_at = (step.done_at or now) if done else None
        if (step.position, step.title, step.done, step.done_at) != (
            position,
            title,
            done,
            done_at,
        ):
            step.position, step.title, step.done, step.done_at = position, title, done, done_at
            changed.append(step)
    kept = {step.pk for step in matched if step is not None}
    gone = [step.pk for step in existing if step.pk not in kept]
    if not (changed or new or gone):
        return False
    if gone:
        ProgressStep.objects.filter(pk__in=gone).delete()
    # One save a step (a list has a handful), not bulk writes: the model signals see every
    # step, so the API's changes feed does. ``done_at`` as decided above (save() keeps a set one).
    for step in changed:
        step.save(update_fields=["position", "title", "done", "done_at"])
    for step in new:
        step.save()
    dossier.save(update_fields=["updated_at"])
    record(
        "dossier.progress_set",
        actor=by,
        dossier=dossier,
        target=dossier.number,
        before=before,
        after=after,
    )
    return True


@transaction.atomic
def grant_access(*, dossier: Dossier, client: Client, by: User | None = None) -> DossierAccess:
    """Let ``client`` (all of its accounts) see ``dossier`` (R-DOS-6)."""
    grant, created = DossierAccess.objects.get_or_create(
        dossier=dossier, client=client, defaults={"granted_by": by}
    )
    if created:
        dossier.save(update_fields=["updated_at"])  # so ``updated_since`` finds the change
        record("dossier.access_granted", actor=by, dossier=dossier, target=client)
    return grant


@transaction.atomic
def revoke_access(*, dossier: Dossier, client: Client, by: User | None = None) -> bool:
    """Take the grant away. The check runs on every request, so it applies to the client's very
    next page (R-DOS-6)."""
    deleted, _ = DossierAccess.objects.filter(dossier=dossier, client=client).delete()
    if deleted:
        dossier.save(update_fields=["updated_at"])  # so ``updated_since`` finds the change
        record("dossier.access_revoked", actor=by, dossier=dossier, target=client)
    return bool(deleted)


@transaction.atomic
def set_step_done(
    *, dossier: Dossier, position: int, done: bool, by: User | None = None
) -> ProgressStep | None:
    """Tick off (or untick) the step at ``position`` (1 = first) of the progress list, the
    others as they are: ``set_progress`` with the list's own steps, so ``done_at`` of the
    others stays, the change is recorded and moves ``dossier.updated_at``. None when there is
    no such step."""
    steps = list(dossier.steps.select_for_update())
    if not 1 <= position <= len(steps):
        return None
    set_progress(
        dossier=dossier,
        steps=[
            (step.title, done if index == position else step.done, step.pk)
            for index, step in enumerate(steps, start=1)
        ],
        by=by,
    )
    return dossier.steps.get(position=position)
