"""Webhooks (R-OFF-6): client events become signed JSON POSTs to the office's endpoints.

The domain services send their signals after commit; the receivers here store one
``WebhookDelivery`` per active endpoint that wants the event and queue ``tasks.deliver_webhook``,
which retries with exponential back-off. Payloads carry ids and types, never contents.

The body and its signature: ``signing``.
"""

from __future__ import annotations

import uuid
from functools import partial

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from portal.accounts.signals import invitation_accepted
from portal.documents.signals import document_supplied
from portal.messaging.signals import message_sent
from portal.offices.models import Office
from portal.questionnaires.signals import approval_answered, questionnaire_completed

from . import tasks
from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent


def emit(event: str, data: dict) -> list[WebhookDelivery]:
    """Store a delivery for every active endpoint of the office that wants ``event`` and queue
    them after commit."""
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


@receiver(approval_answered, dispatch_uid="webhook_approval_answered")
def on_approval_answered(sender, action, approval, **kwargs) -> None:
    """R-SIG-4: ids, the answer and the hash of the file answered; never the remark."""
    emit(
        WebhookEvent.APPROVAL_ANSWERED,
        {
            "type": "approval",
            "approval": action.pk,
            "dossier": action.dossier_id,
            "client": action.client_id,
            "document": approval.document_id,
            "answer": approval.answer,
            "document_sha256": approval.document_sha256,
        },
    )
