"""The client's message pages (R-MSG-1..7). Every message is reached through a dossier from
``Dossier.objects.visible_to``; files are checked by the documents upload service."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.documents import services as document_services
from portal.dossiers.models import Dossier
from portal.files.upload_handlers import limit_upload_size, upload_refusals
from portal.files.uploads import UploadRejected, sanitise_filename
from portal.messaging import services
from portal.messaging.models import MAX_BODY_CHARS, MAX_SUBJECT_CHARS
from portal.messaging.text import char_count
from portal.request_types import AuthenticatedRequest
from portal.ui.compose import (
    MAX_ATTACHMENTS,
    Compose,
    MessageForm,
    read_compose,
    send_composed,
    too_many_message,
)


def _dossier(request: HttpRequest, pk: int) -> Dossier:
    return get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)


def may_send_files(request: HttpRequest, pk: int, *args: object, **kwargs: object) -> bool:
    """Decided before a posted body is read (``limit_upload_size``): files go only to a
    dossier the user sees."""
    return Dossier.objects.visible_to(request.user).filter(pk=pk).exists()


def _compose(request: AuthenticatedRequest, pk: int, msg_id: int | None) -> HttpResponse:
    dossier = _dossier(request, pk)
    original = None
    if msg_id is not None:
        original = get_object_or_404(dossier.messages.select_related("author"), pk=msg_id)
    if request.method == "POST":
        compose = read_compose(request, dossier)
        if compose.sent or (compose.ready and send_composed(request, dossier, compose, original)):
            flash.success(request, _("Your message has been sent."))
            return redirect("dossiers:tab", pk=dossier.pk, tab="berichten")
    else:
        initial = {"subject": services.reply_subject(original.subject)} if original else {}
        compose = Compose(MessageForm(initial=initial))
    return render(
        request,
        "messaging/compose.html",
        {
            "dossier": dossier,
            "original": original,
            "compose": compose,
            "form": compose.form,
            "max_chars": MAX_BODY_CHARS,
            "max_subject_chars": MAX_SUBJECT_CHARS,
            "max_attachments": MAX_ATTACHMENTS,
            "body_count": char_count(str(compose.form["body"].value() or "")),
            "upload_max_bytes": settings.UPLOAD_MAX_BYTES,
        },
    )


@limit_upload_size(reach=may_send_files)
@require_http_methods(["GET", "POST"])
def new_message(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-MSG-4: "Nieuw bericht" to the office."""
    return _compose(request, pk, None)


@limit_upload_size(reach=may_send_files)
@require_http_methods(["GET", "POST"])
def reply(request: AuthenticatedRequest, pk: int, msg_id: int) -> HttpResponse:
    """R-MSG-3: "Beantwoorden", with the original message shown below the form."""
    return _compose(request, pk, msg_id)


@require_GET
def message_detail(request: AuthenticatedRequest, pk: int, msg_id: int) -> HttpResponse:
    """R-MSG-2: one click opens a message and marks it read."""
    dossier = _dossier(request, pk)
    message = get_object_or_404(dossier.messages.select_related("author", "reply_to"), pk=msg_id)
    services.mark_read(message=message, user=request.user)
    return render(
        request,
        "messaging/message_detail.html",
        {
            "dossier": dossier,
            "message": message,
            "attachments": list(message.attachments.order_by("pk")),
        },
    )


@limit_upload_size(reach=may_send_files, json=True)
@require_POST
def upload_attachment(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    """R-MSG-6: one file from the attachments dialog (one request per file, so that the
    browser shows progress per file). Checked and staged; JSON for the dialog's script."""
    dossier = _dossier(request, pk)
    refusals = upload_refusals(request)
    if refusals:
        refused = refusals[0]
        return JsonResponse({"name": refused.file_name, "error": refused.message}, status=400)
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"name": "", "error": _("Choose a file.")}, status=400)
    name = sanitise_filename(upload.name or "")
    if dossier.staged_uploads.filter(uploaded_by=request.user).count() >= MAX_ATTACHMENTS:
        return JsonResponse({"name": name, "error": too_many_message()}, status=400)
    try:
        staged = document_services.stage_upload(
            dossier=dossier, file=upload, name=upload.name, by=request.user
        )
    except UploadRejected as exc:
        return JsonResponse({"name": name, "error": str(exc)}, status=400)
    return JsonResponse(
        {
            "key": str(staged.key),
            "name": staged.original_name,
            "size": filesizeformat(staged.size),
            "remove_url": reverse(
                "messaging:remove_attachment", kwargs={"pk": dossier.pk, "key": staged.key}
            ),
        },
        status=201,
    )


@require_POST
def remove_attachment(request: AuthenticatedRequest, pk: int, key: uuid.UUID) -> JsonResponse:
    """R-MSG-6: the trash icon: an uploaded file that has not been sent is removed."""
    dossier = _dossier(request, pk)
    staged = document_services.staged_for(dossier=dossier, user=request.user, keys=[key])
    if not staged:
        return JsonResponse({"removed": False}, status=404)
    document_services.discard_staged(staged)
    return JsonResponse({"removed": True})
