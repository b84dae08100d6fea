"""Webhooks (R-OFF-6): client events become signed JSON POSTs to the office's endpoints.

The domain services send their signals after commit; the receivers here store one
``WebhookDelivery`` per active endpoint that wants the event and queue ``tasks.deliver_webhook``,
which retries with exponential back-off. Payloads carry ids and types, never contents.

Signature: the Standard Webhooks specification (https://www.standardwebhooks.com/), through its
reference library: ``webhook-id`` (the event's id, the same on every retry),
``webhook-timestamp`` (unix seconds of the attempt) and ``webhook-signature``
(``v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``, one per valid secret,
space-separated during a secret rotation). A receiver verifies with ``standardwebhooks`` or the
same steps by hand, rejects a timestamp more than 5 minutes off and drops a repeated id.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from functools import partial

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from standardwebhooks import Webhook

from portal.accounts.signals import invitation_accepted
from portal.documents.signals import document_supplied
from portal.messaging.signals import message_sent
from portal.offices.models import Office
from portal.questionnaires.signals import questionnaire_completed

from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent


def signed_headers(
    secrets: list[str], webhook_id: str, body: bytes, timestamp: int | None = None
) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body``, signed with every secret in
    ``secrets``."""
    ts = int(time.time()) if timestamp is None else timestamp
    at = datetime.fromtimestamp(ts, tz=UTC)
    text = body.decode()
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": " ".join(
            Webhook(secret).sign(webhook_id, at, text) for secret in secrets
        ),
    }


def encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def emit(event: str, data: dict) -> list[WebhookDelivery]:
    """Store a delivery for every active endpoint of the office that wants ``event`` and queue
    them after commit."""
    from . import tasks

    office = Office.current()
    payload = {
        "id": str(uuid.uuid4()),
        "event": event,
        "created_at": timezone.now().isoformat(),
        "data": data,
    }
    deliveries = [
        WebhookDelivery.objects.create(endpoint=endpoint, event=event, payload=payload)
        for endpoint in WebhookEndpoint.objects.filter(office=office, active=True)
        if endpoint.wants(event)
    ]
    for delivery in deliveries:
        pk = delivery.pk
        # robust: a broker outage is logged and must not fail the request that committed.
        transaction.on_commit(partial(tasks.deliver_webhook.delay, pk), robust=True)
    return deliveries


@receiver(message_sent, dispatch_uid="webhook_message_sent")
def on_message_sent(sender, message, **kwargs) -> None:
    if message.is_incoming:  # from the office: not a client event
        return
    emit(
        WebhookEvent.MESSAGE_SENT,
        {
            "type": "message",
            "message": message.pk,
            "dossier": message.dossier_id,
            "attachments": list(message.attachments.values_list("pk", flat=True)),
        },
    )


@receiver(document_supplied, dispatch_uid="webhook_document_supplied")
def on_document_supplied(sender, document, **kwargs) -> None:
    emit(
        WebhookEvent.DOCUMENT_SUPPLIED,
        {
            "type": "document",
            "document": document.pk,
            "dossier": document.dossier_id,
            "kind": document.kind,
            "message": document.message_id,
        },
    )


@receiver(questionnaire_completed, dispatch_uid="webhook_questionnaire_completed")
def on_questionnaire_completed(sender, action, **kwargs) -> None:
    emit(
        WebhookEvent.QUESTIONNAIRE_COMPLETED,
        {
            "type": "questionnaire",
            "questionnaire": action.pk,
            "dossier": action.dossier_id,
            "client": action.client_id,
        },
    )


@receiver(invitation_accepted, dispatch_uid="webhook_invitation_accepted")
def on_invitation_accepted(sender, user, **kwargs) -> None:
    emit(
        WebhookEvent.INVITATION_ACCEPTED,
        {"type": "account", "account": user.pk, "client": user.client_id},
    )
