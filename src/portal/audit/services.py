from __future__ import annotations

from . import context
from .models import AuditEntry, related_model


def record(
    action: str,
    *,
    actor=None,
    address: str | None = None,
    dossier=None,
    target: object | None = None,
    actor_label: str | None = None,
    client=None,
    **data,
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
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label or str(getattr(actor, "email", "") or ""),
        dossier=dossier,
        target=str(target)[:200] if target is not None else "",
        ip_address=address,
        data=data,
    )


def _client_id(client, actor, target) -> int | None:
    """The client an entry concerns: given, else the acting client account's, else the client
    (or client account) acted on. Attribute reads only: no query."""
    user, client_model = related_model("actor"), related_model("client")
    if client is not None:
        return getattr(client, "pk", client)  # a Client or its id
    if isinstance(actor, user) and actor.client_id:
        return actor.client_id
    if isinstance(target, user) and target.client_id:
        return target.client_id
    if isinstance(target, client_model):
        return target.pk
    return None
