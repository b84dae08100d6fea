""" "Mijn gegevens downloaden" (R-RET-2): ask for the export of one's data, and download it. The
status is shown on "Mijn gegevens" (``portal.web.accounts.views.profile``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.exports import services
from portal.request_types import AuthenticatedRequest

PROFILE_SECTION = "#export-heading"


@never_cache
@require_POST
def request_export(request: AuthenticatedRequest) -> HttpResponse:
    if not request.user.client_id:
        raise Http404
    try:
        services.request_export(user=request.user)
    except services.ExportRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("We are preparing your data. You will receive an e-mail when you can download it."),
        )
    return redirect(reverse("accounts:profile") + PROFILE_SECTION)


@never_cache
@require_GET
def download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The ZIP, streamed, for the account that asked for it only, while it is valid; anything
    else is a 404."""
    export = services.available_for(request.user, pk)
    if export is None:
        raise Http404
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    services.record_download(export=export, user=request.user)
    created = export.created_at.strftime("%Y-%m-%d")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=_("my-data-%(date)s.zip") % {"date": created},
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
