"""Delivering webhooks (R-OFF-6) with retries and exponential back-off."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from portal import pruning
from portal.offices.services import is_suspended, per_office

from . import changes
from .models import IdempotencyRecord, WebhookDelivery
from .signing import encode, signed_headers

log = logging.getLogger(__name__)


def attempt(delivery: WebhookDelivery) -> bool:
    """POST the delivery's payload once, signed with the endpoint's valid secrets; log the
    outcome. True when the receiver took it (any 2xx)."""
    endpoint = delivery.endpoint
    endpoint.drop_expired_secret()
    body = encode(delivery.payload)
    delivery.attempts += 1
    status, error = None, ""
    if urlsplit(endpoint.url).scheme not in ("http", "https"):
        error = "Only http and https URLs are allowed."
    else:
        try:
            response = requests.post(
                endpoint.url,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": "Klantportaal-Webhooks/2",
                    **signed_headers(endpoint.signing_secrets(), delivery.webhook_id, body),
                },
                timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
                allow_redirects=False,
            )
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
    delivery.last_status = status
    delivery.last_error = error
    if not error:
        delivery.delivered_at = timezone.now()
    delivery.save(update_fields=["attempts", "last_status", "last_error", "delivered_at"])
    return not error


def backoff(retries: int) -> int:
    """Seconds before the next try: base, 2×base, 4×base, … (at most a day)."""
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2**retries, 86_400)


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_webhook(self, delivery_id: int) -> bool:
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, delivered_at__isnull=True)
        .first()
    )
    if delivery is None or not delivery.endpoint.active:
        return False
    if is_suspended(delivery.office_id):
        # Held, not attempted: the sweep queues it again once the office is resumed.
        log.info("Webhook delivery %s held: the office is suspended.", delivery_id)
        return False
    if attempt(delivery):
        return True
    if self.request.retries < settings.WEBHOOK_MAX_RETRIES:
        raise self.retry(countdown=backoff(self.request.retries))
    return False


@shared_task
@per_office
def deliver_lost_webhooks() -> int:
    """Beat task: queue again the deliveries whose task never ran — not one attempt made
    ``WEBHOOK_SWEEP_MINUTES`` after the event (the broker was down or lost the message when the
    change was saved). Delivery is at least once: a receiver that sees a ``webhook-id`` twice
    ignores the second. Returns the number queued."""
    cutoff = timezone.now() - timedelta(minutes=settings.WEBHOOK_SWEEP_MINUTES)
    lost = list(
        WebhookDelivery.objects.filter(
            attempts=0, delivered_at__isnull=True, created_at__lt=cutoff, endpoint__active=True
        ).values_list("pk", flat=True)[:500]
    )
    for pk in lost:
        deliver_webhook.delay(pk)
    return len(lost)


@shared_task
@per_office
def prune_idempotency_records() -> int:
    """Beat task: forget stored responses of idempotent POSTs older than
    ``PRUNE_IDEMPOTENCY_DAYS``; within that window a repeated key still gets the first response,
    after it the key counts as new. Returns the number deleted."""
    old = IdempotencyRecord.objects.filter(
        created_at__lt=pruning.cutoff(settings.PRUNE_IDEMPOTENCY_DAYS)
    )
    return pruning.delete_in_batches(old, "idempotency records")


@shared_task
@per_office
def prune_webhook_deliveries() -> int:
    """Beat task: delete finished deliveries (delivered, or given up after the last retry)
    created more than ``PRUNE_WEBHOOK_DELIVERY_DAYS`` ago. A delivery still waiting for an
    attempt or a retry is kept, whatever its age. Returns the number deleted."""
    finished = Q(delivered_at__isnull=False) | Q(attempts__gt=settings.WEBHOOK_MAX_RETRIES)
    old = WebhookDelivery.objects.filter(
        finished, created_at__lt=pruning.cutoff(settings.PRUNE_WEBHOOK_DELIVERY_DAYS)
    )
    return pruning.delete_in_batches(old, "webhook deliveries")


@shared_task
@per_office
def prune_changes() -> int:
    """Beat task: drop changes-feed entries older than ``CHANGES_RETENTION_DAYS``. A cursor
    from before then is answered 410 Gone (the client loads everything again). Returns the
    number deleted."""
    return changes.prune()
