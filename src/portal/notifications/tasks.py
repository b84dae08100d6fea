from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from portal import pruning
from portal.offices.models import Office
from portal.offices.services import is_suspended, per_office

from .models import OutgoingEmail

log = logging.getLogger(__name__)


def send_now(pk: int) -> bool:
    """Deliver one pending e-mail. Returns True when sent (or already sent). An e-mail of a
    suspended office is held: it stays pending, and goes out when the office is resumed."""
    with transaction.atomic():
        mail = OutgoingEmail.objects.select_for_update().filter(pk=pk).first()
        if mail is None or mail.sent_at is not None:
            return True
        if is_suspended(mail.office_id):  # held, pending: the sweep sends it once resumed
            log.info("E-mail %s held: the office is suspended.", pk)
            return False
        mail.attempts += 1
        office = Office.current()  # the mail's: it was read in this office's scope
        message = EmailMultiAlternatives(
            subject=mail.subject,
            body=mail.body_text,
            from_email=mail.from_email or settings.DEFAULT_FROM_EMAIL,
            to=[mail.to],
            reply_to=[office.email_reply_to] if office.email_reply_to else None,
        )
        message.attach_alternative(mail.body_html, "text/html")
        try:
            message.send()
        except Exception as exc:
            mail.last_error = f"{type(exc).__name__}: {exc}"[:500]
            mail.save(update_fields=["attempts", "last_error"])
            log.warning("E-mail %s (%s) not sent: %s", mail.pk, mail.kind, type(exc).__name__)
            return False
        mail.sent_at = timezone.now()
        mail.body_text = mail.body_html = ""
        mail.last_error = ""
        mail.save(update_fields=["attempts", "sent_at", "body_text", "body_html", "last_error"])
    return True


@shared_task(bind=True, max_retries=12, acks_late=True)
def deliver_email(self, pk: int) -> None:
    if is_suspended():  # held, not retried: the sweep sends it once the office is resumed
        log.info("E-mail %s held: the office is suspended.", pk)
        return
    if not send_now(pk) and not self.request.is_eager:
        raise self.retry(countdown=min(3600, 30 * 2**self.request.retries))


@shared_task
@per_office
def send_pending_email(older_than_seconds: int = 60) -> int:
    """The sweep: (re)send e-mails that are still pending. Returns how many were sent."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = OutgoingEmail.objects.filter(sent_at__isnull=True, created_at__lte=cutoff)
    return sum(send_now(pk) for pk in pending.values_list("pk", flat=True).order_by("pk"))


@shared_task
@per_office
def prune_sent_email() -> int:
    """Beat task: delete e-mails sent more than ``PRUNE_SENT_EMAIL_DAYS`` ago (their bodies
    were already cleared when sent). Pending ones, failed ones waiting for a retry included,
    are kept whatever their age. Returns the number deleted."""
    old = OutgoingEmail.objects.filter(sent_at__lt=pruning.cutoff(settings.PRUNE_SENT_EMAIL_DAYS))
    return pruning.delete_in_batches(old, "sent e-mails")
