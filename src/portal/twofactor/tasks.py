"""Beat task of the second factors: the record of SMS codes sent (R-RET-4)."""

from __future__ import annotations

from celery import shared_task

from portal import pruning
from portal.offices.services import per_office

from .models import SmsCodeSent


@shared_task
@per_office
def prune_sms_codes_sent() -> int:
    """Delete the record of SMS codes sent (a phone number and a time) after a day: it only
    limits the codes per number per hour (``SMS_CODES_PER_HOUR``). Returns the number
    deleted."""
    old = SmsCodeSent.objects.filter(sent_at__lt=pruning.cutoff(1))
    return pruning.delete_in_batches(old, "SMS codes sent")
