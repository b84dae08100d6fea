"""Downloads (R-DOC-1..4): only through this view, from a dossier the user may see."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from portal.dossiers.models import Dossier
from portal.ui.files import file_response


@require_GET
def download(request: HttpRequest, pk: int, doc_id: int) -> FileResponse:
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)
    document = get_object_or_404(dossier.documents.all(), pk=doc_id)
    return file_response(request, document)
