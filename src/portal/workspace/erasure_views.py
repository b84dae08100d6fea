"""Erasing a client from the workspace (R-RET-3): a confirmation page that says what goes and
what stays, or why the client cannot be erased yet (an open or held dossier)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.accounts.models import Client
from portal.request_types import AuthenticatedRequest
from portal.retention import erasure

from .access import staff_view


@staff_view
@require_http_methods(["GET", "POST"])
def client_erase(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=pk)
    blockers = erasure.blockers(client)
    if request.method == "POST" and not blockers:
        try:
            erasure.erase_client(client=client, by=request.user)
        except erasure.ErasureRefused as refused:
            blockers = refused.blockers
        except Client.DoesNotExist:
            raise Http404 from None
        else:
            flash.success(request, _("The client has been erased."))
            return redirect("workspace:clients")
    context = {
        "client": client,
        "blockers": blockers,
        "counts": None if blockers else erasure.preview(client),
    }
    # A refused erasure (POST) is a conflict with the dossiers' state, shown with its reasons.
    status = 409 if request.method == "POST" else 200
    return render(request, "workspace/client_erase.html", context, status=status)
