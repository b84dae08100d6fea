"""Approval requests (R-SIG-4): the office asks a dossier's clients to approve one published
document, "Akkoord" or "Niet akkoord" with a remark, optionally by a date.

One ``Action`` of kind ``approval`` per client asked, each with its ``ApprovalRequest``: every
client answers for itself (two buyers may disagree), the client sees it under "Acties" like the
other actions, and the workspace's inbox, the dossier page and the changes feed list it with
them. Within a company, any of its accounts answers for the company, and the answer names which.

- ``request_approval`` sends it to one or more clients granted the dossier.
- ``answer_approval`` records the answer once, with the SHA-256 of the stored file at that
  moment, who answered, when and from which address (the audit context's); a withdrawn
  document or a cancelled or answered request cannot be answered (``NotAnswerable``).
- ``cancel_approval``: the office takes back an open request.
- ``send_due_reminders``: content-free reminder e-mails before the date (``REMINDER_DAYS``),
  each moment once; run per office by the beat task ``tasks.send_approval_reminders``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Client, User
from portal.audit import context as audit_context
from portal.audit.services import record
from portal.documents.models import Document
from portal.documents.services import PUBLISHED_KINDS
from portal.dossiers.models import Dossier, DossierAccess
from portal.notifications.email import queue_email
from portal.notifications.services import recipients

from .models import Action, ApprovalRequest
from .signals import action_updated, approval_answered, questionnaire_sent

#: Reminder moments: this many days before the date (2 days before, and on the day itself).
REMINDER_DAYS = (2, 0)
#: The longest remark a client may give; a longer one is refused, never cut.
MAX_REMARK_CHARS = 2000
MAX_EXPLANATION_CHARS = 2000


class NotAnswerable(Exception):
    """The request can no longer be answered; ``str()`` is the message for the client."""


def approvable_documents(dossier: Dossier) -> QuerySet[Document]:
    """The documents of ``dossier`` the office may ask approval of: those it published itself
    (not a message's attachment)."""
    return Document.objects.filter(
        dossier=dossier, kind__in=PUBLISHED_KINDS, message__isnull=True
    ).order_by("-created_at", "-pk")


def document_sha256(document: Document) -> str:
    """The SHA-256 of the stored file, read now (what the client answered about)."""
    digest = hashlib.sha256()
    with document.file.open("rb") as stored:
        for chunk in stored.chunks():
            digest.update(chunk)
    return digest.hexdigest()


def reminder_stage(due: date | None, today: date) -> int:
    """How many of the reminder moments before ``due`` have come by ``today``."""
    if due is None or today > due:
        return len(REMINDER_DAYS) if due is not None else 0
    return sum(1 for days in REMINDER_DAYS if today >= due - timedelta(days=days))


def request_approval(
    *,
    dossier: Dossier,
    document: Document,
    clients: Sequence[Client],
    due_date: date | None = None,
    explanation: str = "",
    by: User | None = None,
) -> list[Action]:
    """Ask each of ``clients`` (granted ``dossier``) to approve ``document``: one action per
    client. Raises ``ValidationError`` with the reason and saves nothing on bad input."""
    if not clients:
        raise ValidationError(_("Choose at least one client."))
    if (
        document.dossier_id != dossier.pk
        or not approvable_documents(dossier).filter(pk=document.pk).exists()
    ):
        raise ValidationError(_("Choose a document the office published in this dossier."))
    today = timezone.localdate()
    if due_date is not None and due_date < today:
        raise ValidationError(_("The date lies in the past."))
    if len(explanation) > MAX_EXPLANATION_CHARS:
        raise ValidationError(
            _("The explanation is %(length)d characters long; at most %(max)d are allowed.")
            % {"length": len(explanation), "max": MAX_EXPLANATION_CHARS}
        )
    granted = set(
        DossierAccess.objects.filter(dossier=dossier, client__in=clients).values_list(
            "client_id", flat=True
        )
    )
    if any(client.pk not in granted for client in clients):
        raise ValidationError(_("This client has no access to this dossier."))
    actions = []
    with transaction.atomic():
        for client in clients:
            action = Action.objects.create(
                kind=Action.Kind.APPROVAL,
                dossier=dossier,
                client=client,
                title_nl=document.title,
                title_en=document.title,
                description_nl=explanation,
                sent_by=by,
            )
            ApprovalRequest.objects.create(
                action=action,
                document=document,
                document_title=document.title,
                due_date=due_date,
                # Moments already passed when it is sent are not reminded of: the client is
                # told of the new request now.
                reminders_sent=reminder_stage(due_date, today),
            )
            record(
                "approval.sent",
                actor=by,
                dossier=dossier,
                target=document.title,
                action_id=action.pk,
                client=client.pk,
                document=document.pk,
                due_date=due_date.isoformat() if due_date else None,
            )
            transaction.on_commit(
                partial(questionnaire_sent.send, sender=Action, dossier=dossier, client=client)
            )
            actions.append(action)
    return actions


def answer_approval(*, action: Action, approved: bool, remark: str, by: User) -> ApprovalRequest:
    """Record the client's answer once (R-SIG-4). ``remark`` is required for "Niet akkoord".
    Raises ``ValidationError`` on a bad remark (nothing saved) and ``NotAnswerable`` when the
    request is answered, cancelled, its document withdrawn, or not ``by``'s client's."""
    remark = remark.strip()
    if not approved and not remark:
        raise ValidationError(_("Say what you do not agree with."))
    if len(remark) > MAX_REMARK_CHARS:
        raise ValidationError(
            _("Your remark is %(length)d characters long; at most %(max)d are allowed.")
            % {"length": len(remark), "max": MAX_REMARK_CHARS}
        )
    with transaction.atomic():
        current = (
            Action.objects.select_for_update()
            .select_related("dossier")
            .get(pk=action.pk, kind=Action.Kind.APPROVAL)
        )
        approval = ApprovalRequest.objects.select_related("document").get(action=current)
        if current.client_id != by.client_id:
            raise NotAnswerable(_("This request was not sent to you."))
        if current.status == Action.Status.CANCELLED:
            raise NotAnswerable(_("The office has cancelled this request."))
        if current.status != Action.Status.OPEN:
            raise NotAnswerable(_("This request has already been answered."))
        if approval.document is None:
            raise NotAnswerable(
                _("The office has withdrawn this document; it can no longer be approved.")
            )
        sha256 = document_sha256(approval.document)
        now = timezone.now()
        # Compare-and-set: of two answers at once (two tabs, two accounts) only one counts.
        done = Action.objects.filter(pk=current.pk, status=Action.Status.OPEN).update(
            status=Action.Status.COMPLETED,
            completed_at=now,
            completed_by=by,
            version=F("version") + 1,
            updated_at=now,
        )
        if not done:
            raise NotAnswerable(_("This request has already been answered."))
        approval.answer = (
            ApprovalRequest.Answer.APPROVED if approved else ApprovalRequest.Answer.REJECTED
        )
        approval.remark = remark
        approval.document_sha256 = sha256
        approval.answered_at = now
        approval.answered_by = by
        approval.answered_from = audit_context.current().address
        approval.save()
        action_updated.send(sender=Action, action=current)
        record(
            "approval.approved" if approved else "approval.rejected",
            actor=by,
            dossier=current.dossier,
            target=approval.document_title,
            action_id=current.pk,
            document=approval.document_id,
            sha256=sha256,
        )
        transaction.on_commit(
            partial(approval_answered.send, sender=Action, action=current, approval=approval)
        )
    current.status, current.completed_at, current.completed_by = (
        Action.Status.COMPLETED,
        now,
        by,
    )
    approval.action = current
    return approval


def cancel_approval(*, action: Action, by: User | None) -> bool:
    """The office takes back an open approval request: the client no longer sees it. Returns
    False when it was answered or cancelled already."""
    with transaction.atomic():
        now = timezone.now()
        done = Action.objects.filter(
            pk=action.pk, kind=Action.Kind.APPROVAL, status=Action.Status.OPEN
        ).update(status=Action.Status.CANCELLED, version=F("version") + 1, updated_at=now)
        if done:
            action_updated.send(sender=Action, action=action)
            record(
                "approval.cancelled",
                actor=by,
                dossier=action.dossier,
                target=action.title_nl,
                action_id=action.pk,
            )
    return bool(done)


def send_due_reminders(today: date | None = None) -> int:
    """E-mail the accounts of each client with an open request whose reminder moment has come
    (and not been reminded of): content-free, like the other notifications. Returns the number
    of requests reminded of. Runs in the office's scope (``per_office``)."""
    today = today or timezone.localdate()
    due = ApprovalRequest.objects.filter(
        action__status=Action.Status.OPEN,
        due_date__gte=today,
        due_date__lte=today + timedelta(days=max(REMINDER_DAYS)),
        reminders_sent__lt=len(REMINDER_DAYS),
    ).select_related("action__dossier", "action__client")
    reminded = 0
    for approval in due[:500]:
        stage = reminder_stage(approval.due_date, today)
        if stage <= approval.reminders_sent:
            continue
        with transaction.atomic():
            # Compare-and-set: two sweeps at once remind once.
            if not ApprovalRequest.objects.filter(
                pk=approval.pk, reminders_sent=approval.reminders_sent
            ).update(reminders_sent=stage):
                continue
            action = approval.action
            for user in recipients(
                event="questionnaire", dossier=action.dossier, client=action.client
            ):
                queue_email(to_user=user, template="approval_reminder")
            record(
                "approval.reminded",
                dossier=action.dossier,
                target=approval.document_title,
                action_id=action.pk,
                client=action.client_id,
            )
        reminded += 1
    return reminded
