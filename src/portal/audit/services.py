from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from . import context
from .models import AuditEntry, related_model

if TYPE_CHECKING:  # models of the apps above audit: for the signatures only
    from portal.accounts.models import Client, User
    from portal.dossiers.models import Dossier


def record(
    action: str,
    *,
    actor: object | None = None,
    address: str | None = None,
    dossier: Dossier | None = None,
    target: object | None = None,
    actor_label: str | None = None,
    client: Client | int | None = None,
    **data: Any,
) -> AuditEntry:
    """Add one entry to the audit trail. Never put secrets (tokens, passwords) in ``data``.

    The actor, the address and the actor's label come from the audit context (the request, the
    API token, ``audit_context`` in a task or command) unless given here. ``actor_label``
    overrides the recorded "who" (e.g. an API token's name); the context's label goes with the
    context's actor only."""
    current = context.current()
    if actor is None:
        actor = context.actor()
        actor_label = actor_label or (current.actor_label if actor is not None else None)
    if address is None:
        address = current.address
    return AuditEntry.objects.create(
        client_id=_client_id(client, actor, target),
        action=action,
        # A User or the request's lazy user; an anonymous user (no pk) is no actor.
        actor=cast("User | None", actor if getattr(actor, "pk", None) else None),
        actor_label=actor_label or str(getattr(actor, "email", "") or ""),
        dossier=dossier,
        target=str(target)[:200] if target is not None else "",
        ip_address=address,
        data=data,
    )


def _client_id(client: Client | int | None, actor: object, target: object) -> int | None:
    """The client an entry concerns: given, else the acting client account's, else the client
    (or client account) acted on. Attribute reads only: no query."""
    user, client_model = related_model("actor"), related_model("client")
    if client is not None:
        return client if isinstance(client, int) else client.pk  # a Client or its id
    if isinstance(actor, user) and actor.client_id:
        return int(actor.client_id)
    if isinstance(target, user) and target.client_id:
        return int(target.client_id)
    if isinstance(target, client_model):
        return int(target.pk)
    return None
