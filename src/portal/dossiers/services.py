"""Dossier actions (R-OFF-1/2): one path for the admin, the demo data and, later, the staff
workspace and the API."""

from __future__ import annotations

from django.db import transaction

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


@transaction.atomic
def update_dossier(
    *, dossier: Dossier, description: str, status, handler=None, by=None, request=None
) -> list[str]:
    """Change a dossier's description, status and handler (R-OFF-1). Records what changed;
    returns the names of the changed fields (nothing recorded when nothing changed)."""
    changes: dict[str, list] = {}
    if description != dossier.description:
        changes["description"] = [dossier.description, description]
    if status.pk != dossier.status_id:
        changes["status"] = [str(dossier.status), str(status)]
    if getattr(handler, "pk", None) != dossier.handler_id:
        changes["handler"] = [str(dossier.handler or ""), str(handler or "")]
    if changes:
        dossier.description = description
        dossier.status = status
        dossier.handler = handler
        dossier.save(update_fields=["description", "status", "handler", "updated_at"])
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
    ProgressStep.objects.bulk_create(
        ProgressStep(dossier=dossier, position=i, title=title, done=done)
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
