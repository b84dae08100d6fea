"""A stored document as a download, for every interface that hands one out: the client's pages,
the workspace, the API and the admin."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest

from portal.documents import services
from portal.files.uploads import sanitise_filename


def file_response(request: HttpRequest, document) -> FileResponse:
    """Stream ``document`` as an attachment and record the download; the caller has checked
    that ``request.user`` may have it (a client through ``visible_to``, staff in the admin)."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    services.record_download(document=document, user=request.user)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=sanitise_filename(document.original_name),
        content_type=document.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
