"""Downloads (R-DOC-1..4): only through this view, from a dossier the user may see."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from portal.accounts.models import User
from portal.dossiers.models import Dossier
from portal.request_types import AuthenticatedRequest

from . import services
from .models import Document
from .uploads import sanitise_filename

if TYPE_CHECKING:
    from rest_framework.request import Request


@require_GET
def download(request: AuthenticatedRequest, pk: int, doc_id: int) -> FileResponse:
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)
    document = get_object_or_404(dossier.documents.all(), pk=doc_id)
    return file_response(request, document)


def file_response(request: HttpRequest | Request, document: Document) -> FileResponse:
    """Stream ``document`` as an attachment and record the download; the caller has checked
    that ``request.user`` may have it (a client through ``visible_to``, staff in the admin)."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # Signed in: a client, a staff member or an API token's staff member.
    services.record_download(document=document, user=cast(User, request.user))
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=sanitise_filename(document.original_name),
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
