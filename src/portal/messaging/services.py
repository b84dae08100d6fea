"""Message actions: one path for the client pages, the office (the staff workspace and the API)
and the demo data (R-MSG-1..7, R-OFF-4, R-X-1)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.roles import is_staff_member
from portal.audit.services import record
from portal.documents import services as document_services
from portal.documents.models import Document, StagedUpload
from portal.dossiers.models import Dossier

from .models import MAX_BODY_CHARS, MAX_SUBJECT_CHARS, Message, MessageRead
from .signals import message_sent
from .text import char_count, normalise_newlines


def is_office(user: User) -> bool:
    """Office staff write incoming messages; client accounts outgoing ones."""
    return is_staff_member(user)


def too_long_message(count: int) -> str:
    return _(
        "A message may have at most %(max)d characters; this one has %(count)d. Shorten it "
        "and send it again."
    ) % {"max": MAX_BODY_CHARS, "count": count}


def clean_body(body: str) -> str:
    """R-MSG-5: normalised line breaks, surrounding white space removed, at most 4,000
    characters; raises ``ValidationError`` otherwise."""
    body = normalise_newlines(body or "").strip()
    if not body:
        raise ValidationError(_("Write your message."), code="required")
    if char_count(body) > MAX_BODY_CHARS:
        raise ValidationError(too_long_message(char_count(body)), code="max_length")
    return body


def clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError(_("Fill in a subject."), code="required")
    if len(subject) > MAX_SUBJECT_CHARS:
        raise ValidationError(
            _("A subject may have at most %(max)d characters.") % {"max": MAX_SUBJECT_CHARS},
            code="max_length",
        )
    return subject


def reply_subject(subject: str) -> str:
    """The suggested subject of a reply: "Re: " and the original subject. When that would be
    too long the original is shortened visibly (ending in "…"); the writer sees and may edit
    it, and the original stays whole above the reply."""
    prefix = "Re: "
    if subject.lower().startswith(prefix.lower()):
        return subject
    if len(prefix + subject) > MAX_SUBJECT_CHARS:
        subject = subject[: MAX_SUBJECT_CHARS - len(prefix) - 1].rstrip() + "…"
    return prefix + subject


def already_sent(
    *, dossier: Dossier, sender: User, submission_key: str | uuid.UUID | None
) -> Message | None:
    """The message ``sender`` already sent in ``dossier`` with this compose form's one-time
    key, or None. A key used by someone else or in another dossier is refused."""
    if not submission_key:
        return None
    try:
        submission_key = uuid.UUID(str(submission_key))
    except ValueError:
        return None
    message = Message.objects.filter(submission_key=submission_key).first()
    if message is not None and (message.author_id != sender.pk or message.dossier_id != dossier.pk):
        raise ValidationError(_("This form was already used; open a new one."), code="used")
    return message


def send_message(
    *,
    dossier: Dossier,
    sender: User,
    subject: str,
    body: str,
    attachments: Iterable[StagedUpload] = (),
    reply_to: Message | None = None,
    submission_key: str | uuid.UUID | None = None,
) -> Message:
    """Send a message with its (staged) attachments, whole or nothing (R-MSG-3/4/6/7).

    A client's message goes to the office ("outgoing", its files supplied documents); staff
    answer ("incoming", their files correspondence). A client may only write in a dossier
    ``visible_to`` them. The message, its documents and the audit entries are saved in one
    transaction: if anything fails, nothing of it is saved and the staged uploads stay staged.
    Raises ``ValidationError`` for a missing subject or text, or a text over 4,000 characters.

    ``submission_key`` (the compose form's one-time key) makes sending idempotent: if a message
    with that key is stored already (the same form sent twice, also at the same moment), that
    message is returned and nothing new is saved.
    """
    office = is_office(sender)
    if not office and not Dossier.objects.visible_to(sender).filter(pk=dossier.pk).exists():
        raise PermissionError("This account may not write in this dossier")
    subject = clean_subject(subject)
    body = clean_body(body)
    if reply_to is not None and reply_to.dossier_id != dossier.pk:
        raise ValueError("A reply stays in the dossier of the message it answers")
    staged = list(attachments)
    if any(upload.uploaded_by_id != sender.pk for upload in staged):
        raise PermissionError("Only the uploader may send a staged upload")

    if submission_key is not None:
        submission_key = uuid.UUID(str(submission_key))
    try:
        return _save_message(
            dossier=dossier,
            sender=sender,
            office=office,
            subject=subject,
            body=body,
            attachments=staged,
            reply_to=reply_to,
            submission_key=submission_key,
        )
    except IntegrityError:
        # The same form sent twice at the same moment: the other request stored it first.
        existing = already_sent(dossier=dossier, sender=sender, submission_key=submission_key)
        if existing is None:
            raise
        return existing


def _save_message(
    *,
    dossier: Dossier,
    sender: User,
    office: bool,
    subject: str,
    body: str,
    attachments: list[StagedUpload],
    reply_to: Message | None,
    submission_key: uuid.UUID | None,
) -> Message:
    with transaction.atomic():
        existing = already_sent(dossier=dossier, sender=sender, submission_key=submission_key)
        if existing is not None:
            return existing
        message = Message.objects.create(
            dossier=dossier,
            direction=Message.Direction.INCOMING if office else Message.Direction.OUTGOING,
            subject=subject,
            body=body,
            author=sender,
            reply_to=reply_to,
            submission_key=submission_key,
        )
        # The writer has read what they wrote.
        MessageRead.objects.create(message=message, user=sender)
        documents = document_services.attach_staged(
            attachments,
            message=message,
            kind=Document.Kind.CORRESPONDENCE if office else Document.Kind.SUPPLIED,
            by=sender,
        )
        if office and reply_to is not None and reply_to.handled_at is None:
            _mark_handled(reply_to, by=sender)
        record(
            "message.sent",
            actor=sender,
            dossier=dossier,
            target=subject,
            message=message.pk,
            direction=message.direction,
            reply_to=reply_to.pk if reply_to else None,
            attachments=[document.pk for document in documents],
        )
        transaction.on_commit(lambda: message_sent.send(sender=Message, message=message))
    return message


def _mark_handled(message: Message, *, by: User | None) -> None:
    message.handled_at = timezone.now()
    message.handled_by = by
    message.save(update_fields=["handled_at", "handled_by", "updated_at"])


def mark_handled(*, message: Message, by: User | None) -> bool:
    """R-OFF-4: the office has dealt with a client's message. Returns False if it already was."""
    if message.handled_at is not None:
        return False
    with transaction.atomic():
        _mark_handled(message, by=by)
        record(
            "message.handled",
            actor=by,
            dossier=message.dossier,
            target=message.subject,
            message=message.pk,
        )
    return True


def mark_read(*, message: Message, user: User) -> None:
    """R-MSG-2: opened, so read for this user only; idempotent (get_or_create: one SELECT once
    read; a parallel request that marks it first is caught by the unique constraint and read
    back). Through ``save()``, so the first read sends post_save: the API's changes feed shows
    a client's reading."""
    MessageRead.objects.get_or_create(message=message, user=user)


def for_list(dossier: Dossier, user: User) -> QuerySet[Message]:
    """The dossier's messages, newest first, each with ``is_read`` for ``user`` and its number
    of attachments, in one query (R-MSG-1)."""
    attachment_count = (
        Document.objects.filter(message=OuterRef("pk"))
        .order_by()
        .values("message")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        dossier.messages.annotate(
            is_read=Exists(MessageRead.objects.filter(message=OuterRef("pk"), user=user)),
            attachment_count=Coalesce(Subquery(attachment_count), 0),
        )
        .select_related("author")
        .order_by("-created_at", "-pk")
    )


def tab_counts(*, dossier: Dossier, user: User) -> dict[str, int]:
    """R-DOS-4: the number of messages and of unread messages from the office, for ``user``
    (one query). A client's own messages are never unread for them."""
    return dossier.messages.aggregate(
        total=Count("pk", distinct=True),
        unread=Count(
            "pk",
            filter=Q(direction=Message.Direction.INCOMING)
            & ~Q(pk__in=MessageRead.objects.filter(user=user).values("message")),
            distinct=True,
        ),
    )
