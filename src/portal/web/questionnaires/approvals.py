"""The client's approval requests under "Acties" (R-SIG-4): the document with "Bekijken", then
"Akkoord" or "Niet akkoord" with a remark. Every request is reached through
``Dossier.objects.visible_to``; a client only ever reaches its own client's requests."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.dossiers.models import Dossier
from portal.questionnaires import approvals
from portal.questionnaires.models import Action, ApprovalRequest
from portal.request_types import AuthenticatedRequest


def document_view_url(approval: ApprovalRequest, dossier_pk: int) -> str | None:
    """Where "Bekijken" leads: the in-portal viewer for a PDF or an image (R-SIG-3), the
    download for any other file."""
    document = approval.document
    if document is None:
        return None
    name = "documents:preview" if document.previewable else "documents:download"
    return reverse(name, args=[dossier_pk, document.pk])


def _requests(request: AuthenticatedRequest) -> QuerySet[Action]:
    """The user's client's approval requests in dossiers the user may see, cancelled ones too
    (the page then says so instead of "not found")."""
    if request.user.client_id is None:
        raise Http404
    dossiers = Dossier.objects.visible_to(request.user)
    return Action.objects.filter(
        kind=Action.Kind.APPROVAL,
        client_id=request.user.client_id,
        dossier__in=dossiers.values("pk"),
    ).select_related("dossier", "approval", "approval__answered_by", "approval__document")


def _render(
    request: AuthenticatedRequest,
    action: Action,
    *,
    remark: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    approval = action.approval
    return render(
        request,
        "questionnaires/approval.html",
        {
            "action": action,
            "dossier": action.dossier,
            "approval": approval,
            "view_url": document_view_url(approval, action.dossier_id),
            "remark": remark,
            "error": error,
            "max_chars": approvals.MAX_REMARK_CHARS,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def approval(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(_requests(request), pk=pk)
    if request.method == "GET":
        return _render(request, action)
    answer = request.POST.get("answer", "")
    remark = request.POST.get("remark", "")
    if answer not in ApprovalRequest.Answer.values:
        return _render(
            request, action, remark=remark, error=_("Choose “Agree” or “Disagree”."), status=400
        )
    try:
        approvals.answer_approval(
            action=action,
            approved=answer == ApprovalRequest.Answer.APPROVED,
            remark=remark,
            by=request.user,
        )
    except ValidationError as exc:
        return _render(request, action, remark=remark, error=exc.messages[0], status=400)
    except approvals.NotAnswerable as exc:
        messages.error(request, str(exc))
        return redirect("questionnaires:approval", pk=action.pk)
    messages.success(request, _("Thank you. The office has received your answer."))
    return redirect("questionnaires:approval", pk=action.pk)
