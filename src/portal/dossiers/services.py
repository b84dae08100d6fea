"""Dossier actions (R-OFF-1/2): one path for the admin, the demo data and, later, the staff
workspace and the API."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import Client
from portal.audit.services import record

from .models import Dossier, DossierAccess, ProgressStep


@transaction.atomic
def create_dossier(
    *, number: str, description: str, status, handler=None, by=None, request=None
) -> Dossier:
    dossier = Dossier.objects.create(
        number=number, description=description, status=status, handler=handler
    )
    record("dossier.created", actor=by, request=request, dossier=dossier, target=dossier.number)
    return dossier


_UNCHANGED = object()


@transaction.atomic
def update_dossier(
    *,
    dossier: Dossier,
    description=_UNCHANGED,
    status=_UNCHANGED,
    handler=_UNCHANGED,
    by=None,
    request=None,
) -> list[str]:
    """Change a dossier's description, status and/or handler (R-OFF-1); what is not given stays
    as it is. Records the changes (old and new) and returns the changed fields' names; nothing
    is recorded when nothing changed."""
    changes: dict[str, list] = {}
    if description is not _UNCHANGED and description != dossier.description:
        changes["description"] = [dossier.description, description]
        dossier.description = description
    if status is not _UNCHANGED and status.pk != dossier.status_id:
        changes["status"] = [str(dossier.status), str(status)]
        dossier.status = status
    if handler is not _UNCHANGED and getattr(handler, "pk", None) != dossier.handler_id:
        changes["handler"] = [str(dossier.handler or ""), str(handler or "")]
        dossier.handler = handler
    if changes:
        dossier.save(update_fields=[*changes, "updated_at"])
        record(
            "dossier.updated",
            actor=by,
            request=request,
            dossier=dossier,
            target=dossier.number,
            changes=changes,
        )
    return list(changes)


@transaction.atomic
def set_progress(*, dossier: Dossier, steps: list[tuple[str, bool]], by=None) -> None:
    """Replace the dossier's progress list by ``steps`` (title, done), in that order."""
    dossier.steps.all().delete()
    now = timezone.now()  # bulk_create skips ProgressStep.save(), which sets done_at
    ProgressStep.objects.bulk_create(
        ProgressStep(
            dossier=dossier, position=i, title=title, done=done, done_at=now if done else None
        )
        for i, (title, done) in enumerate(steps, start=1)
    )
    record("dossier.progress_set", actor=by, dossier=dossier, target=dossier.number)


@transaction.atomic
def grant_access(*, dossier: Dossier, client: Client, by=None, request=None) -> DossierAccess:
    """Let ``client`` (all of its accounts) see ``dossier`` (R-DOS-6)."""
    grant, created = DossierAccess.objects.get_or_create(
        dossier=dossier, client=client, defaults={"granted_by": by}
    )
    if created:
        record("dossier.access_granted", actor=by, request=request, dossier=dossier, target=client)
    return grant


@transaction.atomic
def revoke_access(*, dossier: Dossier, client: Client, by=None, request=None) -> bool:
    """Take the grant away. The check runs on every request, so it applies to the client's very
    next page (R-DOS-6)."""
    deleted, _ = DossierAccess.objects.filter(dossier=dossier, client=client).delete()
    if deleted:
        record("dossier.access_revoked", actor=by, request=request, dossier=dossier, target=client)
    return bool(deleted)
