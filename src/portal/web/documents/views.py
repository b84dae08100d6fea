"""Downloads (R-DOC-1..4) and the viewer (R-SIG-3): only through these views, from a dossier
the user may see."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET

from portal.documents.models import Document
from portal.dossiers.models import Dossier
from portal.ui import preview as viewer
from portal.ui.files import file_response
from portal.web.dossiers.views import TAB_KINDS


def _document(request: HttpRequest, pk: int, doc_id: int) -> tuple[Dossier, Document]:
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)
    document = get_object_or_404(dossier.documents.select_related("preview"), pk=doc_id)
    return dossier, document


@require_GET
def download(request: HttpRequest, pk: int, doc_id: int) -> FileResponse:
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)
    document = get_object_or_404(dossier.documents.all(), pk=doc_id)
    return file_response(request, document)


@require_GET
def preview(request: HttpRequest, pk: int, doc_id: int) -> HttpResponse:
    """R-SIG-3: the document's pages as images, in the portal."""
    dossier, document = _document(request, pk, doc_id)
    tab = next(slug for slug, kind in TAB_KINDS.items() if kind == document.kind)
    links = viewer.ViewerLinks(
        page_image=lambda number: reverse(
            "documents:preview_page", args=[dossier.pk, document.pk, number]
        ),
        download=reverse("documents:download", args=[dossier.pk, document.pk]),
        back=reverse("dossiers:tab", args=[dossier.pk, tab]),
    )
    return viewer.viewer(request, document=document, dossier=dossier, links=links)


@require_GET
def preview_page(request: HttpRequest, pk: int, doc_id: int, page: int) -> FileResponse:
    """One page image of the viewer, checked like the download."""
    _dossier, document = _document(request, pk, doc_id)
    return viewer.page_image(document, page)
