"""The workspace's side of approval requests (R-SIG-4): send them from the dossier page, read
the answers (the action page) and cancel an open one. The services are in
``portal.questionnaires.approvals``."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.documents.models import Document
from portal.questionnaires import approvals
from portal.questionnaires.models import Action
from portal.request_types import AuthenticatedRequest

from .access import staff_view
from .forms import ApprovalRequestForm
from .views import _dossier, _granted_clients, _render_dossier


@staff_view
@require_POST
def request_approval(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    dossier = _dossier(pk)
    clients = _granted_clients(dossier)
    documents = list(approvals.approvable_documents(dossier))
    form = ApprovalRequestForm(request.POST, clients=clients, documents=documents)
    if form.is_valid():
        chosen = set(form.cleaned_data["clients"])
        document: Document = next(d for d in documents if d.pk == form.cleaned_data["document"])
        try:
            sent = approvals.request_approval(
                dossier=dossier,
                document=document,
                clients=[c for c in clients if c.pk in chosen],
                due_date=form.cleaned_data["due_date"],
                explanation=form.cleaned_data["explanation"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(
                request,
                _("The approval request was sent to %(count)d client(s).") % {"count": len(sent)},
            )
            return redirect(reverse("workspace:dossier", args=[dossier.pk]) + "#acties")
    return _render_dossier(request, dossier, approval_form=form)


@staff_view
@require_POST
def cancel_approval(request: AuthenticatedRequest, action_id: int) -> HttpResponse:
    action = get_object_or_404(
        Action.objects.select_related("dossier"), pk=action_id, kind=Action.Kind.APPROVAL
    )
    if approvals.cancel_approval(action=action, by=request.user):
        flash.success(request, _("The approval request was cancelled."))
    else:
        flash.error(request, _("Only an open request can be cancelled."))
    return redirect("workspace:action", action_id=action.pk)
