"""Signing requests in the workspace (R-SIG-5): on the dossier page staff choose a published PDF
and its signers (client accounts with access to the dossier) with an explanation; a page per
request shows each signer's status and the signed PDF; an open request can be withdrawn.
Every change goes through ``questionnaires.signing``."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.models import User
from portal.documents.models import Document
from portal.dossiers.models import Dossier
from portal.questionnaires import signing
from portal.questionnaires.models import Signer, SigningRequest
from portal.request_types import AuthenticatedRequest

from .access import staff_view


class SigningRequestForm(forms.Form):
    prefix = "signing"
    document = forms.TypedChoiceField(label=gettext_lazy("Document to sign (PDF)"), coerce=int)
    signers = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Signers"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Client accounts with access to this dossier, e.g. both buyers."),
    )
    explanation = forms.CharField(
        label=gettext_lazy("Explanation"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        documents: list[Document] | None = None,
        accounts: list[User] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["document"]).choices = [
            (d.pk, d.title) for d in documents or []
        ]
        cast(forms.ChoiceField, self.fields["signers"]).choices = [
            (a.pk, f"{a.get_full_name()} ({a.email})") for a in accounts or []
        ]


def signable_documents(dossier: Dossier) -> list[Document]:
    return list(
        Document.objects.filter(
            dossier=dossier,
            kind__in=signing.PUBLISHED_KINDS,
            content_type="application/pdf",
        )
        .only("pk", "title")
        .order_by("-created_at", "-pk")[:50]
    )


def dossier_context(dossier: Dossier, form: SigningRequestForm | None = None) -> dict[str, Any]:
    """What the dossier page shows of signing requests: the form and the latest requests with
    their signers (3 queries, whatever the number of requests)."""
    accounts = signing.signable_accounts(dossier)
    return {
        "signing_form": form
        or SigningRequestForm(documents=signable_documents(dossier), accounts=accounts),
        "signing_requests": list(
            SigningRequest.objects.filter(dossier=dossier)
            .select_related("document")
            .prefetch_related(Prefetch("signers", Signer.objects.order_by("position", "pk")))[:25]
        ),
    }


@staff_view
@require_POST
def create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask the chosen accounts to sign the chosen document. A refusal comes back on a page of
    its own with the form as filled in (nothing typed is lost)."""
    dossier = get_object_or_404(Dossier, pk=pk)
    accounts = signing.signable_accounts(dossier)
    form = SigningRequestForm(
        request.POST, documents=signable_documents(dossier), accounts=accounts
    )
    if form.is_valid():
        chosen = set(form.cleaned_data["signers"])
        try:
            signing.request_signatures(
                document=Document.objects.get(pk=form.cleaned_data["document"], dossier=dossier),
                accounts=[a for a in accounts if a.pk in chosen],
                explanation=form.cleaned_data["explanation"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, _("The signing request was sent."))
            return redirect(reverse("workspace:dossier", args=[dossier.pk]) + "#ondertekenen")
    return render(
        request,
        "workspace/signing_new.html",
        {"dossier": dossier, "signing_form": form},
        status=400,
    )


def _request(request_id: int) -> SigningRequest:
    return get_object_or_404(
        SigningRequest.objects.select_related(
            "dossier", "document", "signed_document", "created_by"
        ),
        pk=request_id,
    )


@staff_view
@require_GET
def detail(request: AuthenticatedRequest, request_id: int) -> HttpResponse:
    signing_request = _request(request_id)
    return render(
        request,
        "workspace/signing_request.html",
        {
            "signing_request": signing_request,
            "dossier": signing_request.dossier,
            "signers": list(
                Signer.objects.filter(request=signing_request).order_by("position", "pk")
            ),
        },
    )


@staff_view
@require_POST
def withdraw(request: AuthenticatedRequest, request_id: int) -> HttpResponse:
    signing_request = _request(request_id)
    if signing.withdraw(request=signing_request, by=request.user):
        flash.success(request, _("The signing request was withdrawn."))
    else:
        flash.error(request, _("Only an open signing request can be withdrawn."))
    return redirect("workspace:signing_request", request_id=signing_request.pk)
