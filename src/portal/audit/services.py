from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from .models import AuditEntry


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the client, for the audit trail and the login lockout (one definition).

    Without trusted proxies (``TRUSTED_PROXY_COUNT=0``) it is ``REMOTE_ADDR`` and any
    ``X-Forwarded-For`` is ignored. Behind ``n`` trusted proxies, each of which appends the
    address it saw, the client is the ``n``-th entry from the right of ``X-Forwarded-For``:
    entries further left were written by the client itself and can be forged, so they neither
    hide an attacker nor blame someone else."""
    if request is None:
        return None
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    chain = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
    if len(chain) < hops:
        return remote
    return _valid(chain[-hops]) or remote


def record(
    action: str,
    *,
    actor=None,
    request: HttpRequest | None = None,
    dossier=None,
    target: object | None = None,
    actor_label: str | None = None,
    client=None,
    **data,
) -> AuditEntry:
    """Add one entry to the audit trail. Never put secrets (tokens, passwords) in ``data``.
    ``actor_label`` overrides the recorded "who" (e.g. an API token's name)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEntry.objects.create(
        client_id=_client_id(client, actor, target),
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label or str(getattr(actor, "email", "") or ""),
        dossier=dossier,
        target=str(target)[:200] if target is not None else "",
        ip_address=client_ip(request),
        data=data,
    )


def _client_id(client, actor, target) -> int | None:
    """The client an entry concerns: given, else the acting client account's, else the client
    (or client account) acted on. Attribute reads only: no query."""
    from portal.accounts.models import Client, User

    if client is not None:
        return getattr(client, "pk", client)  # a Client or its id
    if isinstance(actor, User) and actor.client_id:
        return actor.client_id
    if isinstance(target, User) and target.client_id:
        return target.client_id
    if isinstance(target, Client):
        return target.pk
    return None
