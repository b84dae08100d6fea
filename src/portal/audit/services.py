from __future__ import annotations

from django.http import HttpRequest

from .models import AuditEntry


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor=None,
    request: HttpRequest | None = None,
    dossier=None,
    target: object | None = None,
    actor_label: str | None = None,
    **data,
) -> AuditEntry:
    """Add one entry to the audit trail. Never put secrets (tokens, passwords) in ``data``.
    ``actor_label`` overrides the recorded "who" (e.g. an API token's name)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEntry.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label or str(getattr(actor, "email", "") or ""),
        dossier=dossier,
        target=str(target)[:200] if target is not None else "",
        ip_address=client_ip(request),
        data=data,
    )
