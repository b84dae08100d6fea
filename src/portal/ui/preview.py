"""The document viewer (R-SIG-3) for the client's pages and the workspace: plain HTML around the
page images the server rendered; nothing of the file itself reaches the browser. The caller has
found the document the way its download does (a client through ``visible_to``, staff through the
workspace's gate) and says where its images, download and way back are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlencode

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from portal.accounts.models import User
from portal.documents import previews
from portal.documents.models import Document, DocumentPreview
from portal.dossiers.models import Dossier

# Zoom levels as links: the page fits the width of the screen, or is shown at 100 % / 150 % of
# its size at 96 dpi (a PDF is rendered at 144 dpi, so 150 % is its image's own size).
ZOOMS = ("fit", "100", "150")
PDF_CSS_PER_PIXEL = 96 / 144


@dataclass(frozen=True)
class ViewerLinks:
    """Where the viewer's links go, per interface."""

    page_image: Callable[[int], str]  # the URL of page n's image
    download: str
    back: str


def _number(raw: str | None, last: int) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), max(last, 1))


def _width(document: Document, preview: DocumentPreview, number: int, zoom: str) -> int | None:
    if zoom == "fit":
        return None
    width = float(preview.page_sizes[number - 1][0])
    if document.content_type == "application/pdf":
        width = width * PDF_CSS_PER_PIXEL
    return round(width * int(zoom) / 100)


def viewer(
    request: HttpRequest, *, document: Document, dossier: Dossier, links: ViewerLinks
) -> HttpResponse:
    """The viewer page: one page image at a time, with page navigation and zoom as links and a
    form (``?pagina=N&zoom=fit|100|150``). Viewing a page marks the document read and is
    audited (``previews.record_view``); while rendering, the page says so."""
    preview = previews.preview_for(document)
    state = preview.status if preview is not None else "unsupported"
    context: dict[str, object] = {
        "document": document,
        "dossier": dossier,
        "state": state,
        "links": links,
    }
    if preview is not None and state == DocumentPreview.Status.READY:
        last = preview.page_count
        number = _number(request.GET.get("pagina"), last)
        zoom = request.GET.get("zoom", "fit")
        zoom = zoom if zoom in ZOOMS else "fit"
        previews.record_view(document=document, user=cast(User, request.user), page=number)
        height = preview.page_sizes[number - 1][1]
        width = preview.page_sizes[number - 1][0]
        shown = _width(document, preview, number, zoom)

        def link(page: int, to_zoom: str = zoom) -> str:
            return "?" + urlencode({"pagina": page, "zoom": to_zoom})

        context.update(
            number=number,
            last=last,
            source_pages=preview.source_pages,
            truncated=preview.source_pages > last,
            zoom=zoom,
            image=links.page_image(number),
            image_width=shown or width,
            image_height=round(height * shown / width) if shown else height,
            previous=link(number - 1) if number > 1 else "",
            next=link(number + 1) if number < last else "",
            zooms=[(level, link(number, level)) for level in ZOOMS],
        )
    return render(request, "documents/preview.html", context)


def page_image(document: Document, number: int) -> FileResponse:
    """Page ``number``'s image of a ready preview, inline (only an image: re-encoded by the
    renderer), never cached; 404 for anything else."""
    try:
        preview = document.preview  # selected with the document
        handle = previews.open_page(preview, number)
    except (DocumentPreview.DoesNotExist, FileNotFoundError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/webp")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
