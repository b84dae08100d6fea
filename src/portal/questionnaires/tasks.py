"""The questionnaire PDF, made off the request path (R-Q-4). Queued with
``transaction.on_commit`` by ``services.complete_questionnaire``; runs in-process (eager)
without a broker. Idempotent: running it twice stores one PDF."""

from __future__ import annotations

import logging

from celery import shared_task

from portal.audit.context import audit_context
from portal.offices.services import per_office

from . import approvals
from .models import Action
from .pdf import store_pdf

log = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, acks_late=True)
def make_questionnaire_pdf(self, action_pk: int) -> int | None:
    try:
        # The system makes the PDF, also when it runs in-process at the end of the client's
        # request: the entry names the client who completed it, not that request's address.
        with audit_context():
            return store_pdf(action_pk)
    except Exception as exc:
        log.exception("PDF of questionnaire %s not made", action_pk)
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=min(3600, 30 * 2**self.request.retries)) from exc


@shared_task
@per_office
def make_missing_pdfs() -> int:
    """The sweep: completed questionnaires whose PDF task was lost (broker down, a crash) get
    their PDF now. Returns how many were made."""
    missing = Action.objects.filter(
        kind=Action.Kind.QUESTIONNAIRE, status=Action.Status.COMPLETED, pdf_document=None
    )
    with audit_context():
        return sum(store_pdf(pk) is not None for pk in missing.values_list("pk", flat=True)[:100])


@shared_task
@per_office
def send_approval_reminders() -> int:
    """R-SIG-4: content-free reminder e-mails for approval requests whose date is near."""
    with audit_context():
        return approvals.send_due_reminders()
