"""Writing a message, for every interface that lets someone write one (the client's pages and
the workspace): the form (R-MSG-4/5), its attachments (R-MSG-6) and sending it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.documents import services as document_services
from portal.documents.models import StagedUpload
from portal.dossiers.models import Dossier
from portal.files.upload_handlers import upload_refusals
from portal.files.uploads import UploadRejected, sanitise_filename
from portal.messaging import services
from portal.messaging.models import MAX_SUBJECT_CHARS, Message
from portal.request_types import AuthenticatedRequest

#: The most files one message may carry.
MAX_ATTACHMENTS = 20


class MessageForm(forms.Form):
    """Onderwerp and Bericht, both required (R-MSG-4); at most 4,000 characters (R-MSG-5).

    ``submission_key`` is a one-time key issued with each new form (hidden): sending the same
    form again stores no second message (``services.send_message``)."""

    subject = forms.CharField(
        label=_("Subject"),
        max_length=MAX_SUBJECT_CHARS,
        error_messages={
            "required": _("Fill in a subject."),
            "max_length": _(
                "A subject may have at most %(limit_value)d characters; this one has "
                "%(show_value)d. Shorten it and send it again."
            ),
        },
    )
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 10}),
        strip=False,
        error_messages={"required": _("Write your message.")},
    )
    submission_key = forms.CharField(
        required=False, initial=lambda: str(uuid.uuid4()), widget=forms.HiddenInput
    )

    def clean_submission_key(self) -> uuid.UUID | None:
        # A form without a key (or with a mangled one) is sent without the retry protection.
        try:
            return uuid.UUID(self.cleaned_data["submission_key"])
        except ValueError:
            return None

    def clean_subject(self) -> str:
        return services.clean_subject(self.cleaned_data["subject"])

    def clean_body(self) -> str:
        return services.clean_body(self.cleaned_data["body"])


def too_many_message() -> str:
    return gettext("A message can have at most %(max)d attachments.") % {"max": MAX_ATTACHMENTS}


@dataclass
class Compose:
    """A message being written: the form, the files already uploaded for it (staged), and the
    reasons files were refused. Nothing typed or uploaded is dropped when something is wrong."""

    form: MessageForm
    staged: list[StagedUpload] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ready: bool = False
    #: This form was sent before and its message is stored (a retry): nothing more to do.
    sent: Message | None = None


def read_compose(request: AuthenticatedRequest, dossier: Dossier) -> Compose:
    """Read a posted message form: keep the staged attachments named in it, remove the one
    whose trash button was pressed, stage the files of the plain file input (the page without
    JavaScript), and validate. ``ready`` when it can be sent as it is; ``sent`` when this very
    form was sent before (a retry after an error or a lost answer): its attachments are part of
    that message now, so they are not looked for again."""
    try:
        sent = services.already_sent(
            dossier=dossier, sender=request.user, submission_key=request.POST.get("submission_key")
        )
    except ValidationError as exc:
        form = MessageForm(request.POST)
        form.is_valid()
        form.add_error(None, exc)
        return Compose(form)
    if sent is not None:
        return Compose(MessageForm(request.POST), sent=sent)
    refusals = upload_refusals(request)  # files stopped while received (too large)
    keys = request.POST.getlist("attachment")
    staged = document_services.staged_for(dossier=dossier, user=request.user, keys=keys)
    file_errors = [f"{refused.file_name}: {refused.message}" for refused in refusals]
    if len(staged) < len(set(keys)):
        # Removed meanwhile (another tab, or the clean-up of unsent files): never send a
        # message silently without a file the client meant to send.
        file_errors.append(gettext("An attachment is no longer available; add it again."))
    remove = request.POST.get("remove")
    if remove:
        gone = [upload for upload in staged if str(upload.key) == remove]
        document_services.discard_staged(gone)
        staged = [upload for upload in staged if upload not in gone]
    for upload in request.FILES.getlist("files"):
        name = sanitise_filename(upload.name or "")
        if len(staged) >= MAX_ATTACHMENTS:
            file_errors.append(f"{name}: {too_many_message()}")
            continue
        try:
            staged.append(
                document_services.stage_upload(
                    dossier=dossier, file=upload, name=upload.name, by=request.user
                )
            )
        except UploadRejected as exc:
            file_errors.append(f"{name}: {exc}")
    if remove:
        # Removing an attachment is not sending: show the form again without error messages.
        form = MessageForm(
            initial={
                "subject": request.POST.get("subject", ""),
                "body": request.POST.get("body", ""),
                "submission_key": request.POST.get("submission_key") or uuid.uuid4(),
            }
        )
        return Compose(form, staged, file_errors)
    form = MessageForm(request.POST)
    ready = form.is_valid() and not file_errors
    return Compose(form, staged, file_errors, ready)


def send_composed(
    request: AuthenticatedRequest, dossier: Dossier, compose: Compose, reply_to: Message | None
) -> Message | None:
    """Send a ready message; on a late problem (an attachment removed meanwhile) note it in
    ``compose`` and return None."""
    try:
        return services.send_message(
            dossier=dossier,
            sender=request.user,
            subject=compose.form.cleaned_data["subject"],
            body=compose.form.cleaned_data["body"],
            attachments=compose.staged,
            reply_to=reply_to,
            submission_key=compose.form.cleaned_data.get("submission_key"),
        )
    except document_services.StagedUploadGone as exc:
        compose.staged = document_services.staged_for(
            dossier=dossier, user=request.user, keys=[upload.key for upload in compose.staged]
        )
        compose.file_errors.append(
            gettext("%(name)s: this attachment was removed; add it again.") % {"name": exc}
        )
    except ValidationError as exc:  # already checked by the form; kept for safety
        compose.form.add_error(None, exc)
    return None
