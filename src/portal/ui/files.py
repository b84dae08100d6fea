"""A stored document as a download, for every interface that hands one out: the client's pages,
the workspace, the API and the admin."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.http import FileResponse, Http404, HttpRequest

from portal.accounts.models import User
from portal.documents import services
from portal.documents.models import Document
from portal.files.uploads import sanitise_filename

if TYPE_CHECKING:
    from rest_framework.request import Request


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
