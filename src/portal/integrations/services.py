"""The office administrator's actions on API tokens and webhook endpoints (R-OFF-6): every
path (the admin today) goes through these, so the audit trail follows. A secret is returned
once, to be shown once; the audit trail never holds it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from portal.audit.services import record
from portal.offices.models import Office

from .models import ApiToken, WebhookEndpoint

if TYPE_CHECKING:  # for the signatures only
    from portal.accounts.models import User


@transaction.atomic
def create_token(*, token: ApiToken, by: User | None = None) -> str:
    """Save the (unsaved) ``token`` for this office with a new secret; returns the full token."""
    token.office = Office.current()
    token.created_by = by
    raw = token.issue()
    token.save()
    record(
        "api.token_created",
        actor=by,
        target=token.name,
        token=token.prefix,
        may_configure=token.may_configure,
    )
    return raw


@transaction.atomic
def revoke_token(*, token: ApiToken, by: User | None = None) -> bool:
    """Revoke ``token`` (kept, for the audit trail). Returns False if it already was."""
    if token.revoked_at is not None:
        return False
    token.revoke()
    record("api.token_revoked", actor=by, target=token.name, token=token.prefix)
    return True


@transaction.atomic
def save_webhook(
    *, endpoint: WebhookEndpoint, by: User | None = None, fields: list[str] | None = None
) -> None:
    """Add (unsaved ``endpoint``) or change a webhook endpoint; ``fields``: what changed."""
    created = endpoint.pk is None
    if created:
        endpoint.office = Office.current()
    endpoint.save()
    if created:
        record("api.webhook_created", actor=by, target=endpoint.url)
    else:
        record("api.webhook_changed", actor=by, target=endpoint.url, fields=sorted(fields or []))


@transaction.atomic
def rotate_webhook_secret(*, endpoint: WebhookEndpoint, by: User | None = None) -> str:
    """A new signing secret (the previous one signs on for the rotation period); returns it."""
    secret = endpoint.rotate_secret()
    record("api.webhook_secret_rotated", actor=by, target=endpoint.url)
    return secret


@transaction.atomic
def update_webhook(
    *, endpoint: WebhookEndpoint, by: User | None = None, **fields: Any
) -> list[str]:
    """Change an endpoint's ``url``, ``events`` or ``active`` (False: no more deliveries; it
    is kept with its deliveries). Returns the names of the fields that changed."""
    changed = [name for name, value in fields.items() if getattr(endpoint, name) != value]
    if changed:
        for name in changed:
            setattr(endpoint, name, fields[name])
        save_webhook(endpoint=endpoint, by=by, fields=changed)
    return changed
