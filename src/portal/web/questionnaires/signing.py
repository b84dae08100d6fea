"""The client's signing page (R-SIG-5), one of the "Acties": preview the document, tick "Ik heb
het document gelezen", confirm with a FRESH second factor (an SMS code sent now, the app's
current code, or a passkey), or decline with a reason. Status per signer on the same page.

The action comes from ``Action.objects.visible_to`` (a signer without access to the dossier any
more gets a 404); every account of the action's client sees the page, only the account asked
can sign. The second factor is checked by ``twofactor.confirm``; ``questionnaires.signing``
records the signature."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.notifications.sms import SmsError
from portal.questionnaires import signing
from portal.questionnaires.models import Action, Signer
from portal.request_types import AuthenticatedRequest
from portal.twofactor import confirm, passkeys
from portal.twofactor import services as twofactor

#: Where the "Bekijken" link of a document to sign goes: the in-portal viewer (R-SIG-3); only
#: PDFs are asked to be signed, and every PDF can be viewed.
DOCUMENT_VIEW_ROUTE = "documents:preview"

#: Where the SMS code sent to confirm a signature waits (per signer), with when it was sent.
SMS_STATE = "_signing_sms_{}"


def _signer(request: AuthenticatedRequest, pk: int) -> Signer:
    action = get_object_or_404(
        Action.objects.visible_to(request.user).filter(kind=Action.Kind.SIGNING), pk=pk
    )
    return (
        Signer.objects.select_related("request", "request__document", "request__dossier")
        .filter(action=action)
        .get()
    )


def _page(request: AuthenticatedRequest, signer: Signer, *, status: int = 200, **extra):
    signing_request = signer.request
    mine = signer.account_id == request.user.pk
    can_act = mine and signing_request.is_open and signer.status == Signer.Status.PENDING
    factors = confirm.factors(request.user) if can_act else None
    options = None
    if factors is not None and factors.passkey:
        options = confirm.passkey_options(request, request.user)
    sms_state = request.session.get(SMS_STATE.format(signer.pk))
    context = {
        "signer": signer,
        "signing_request": signing_request,
        "document": signing_request.document,
        "dossier": signing_request.dossier,
        "signers": list(Signer.objects.filter(request=signing_request).order_by("position", "pk")),
        "mine": mine,
        "can_act": can_act,
        "factors": factors,
        "sms_sent_to": sms_state.get("number") if sms_state else "",
        "passkey_options": json.dumps(options) if options else "",
        "view_route": DOCUMENT_VIEW_ROUTE,
        "setup_url": reverse("accounts:profile") + "#twofactor-heading",
        "read_ticked": False,
        "code_error": "",
        "reason_error": "",
        "reason": "",
        **extra,
    }
    return render(request, "questionnaires/signing.html", context, status=status)


@require_http_methods(["GET", "POST"])
def sign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """GET: the document, the signers and the form. POST ``op``: ``sms`` sends a code now,
    ``sign`` signs with a code or a passkey answer, ``decline`` declines with a reason."""
    signer = _signer(request, pk)
    if request.method == "GET":
        return _page(request, signer)
    op = request.POST.get("op", "sign")
    here = reverse("questionnaires:signing", args=[pk])
    user = request.user
    if signer.account_id != user.pk:
        messages.error(request, _("This signature is asked of another account."))
        return redirect(here)
    if op == "sms":
        try:
            request.session[SMS_STATE.format(signer.pk)] = confirm.send_sms(user)
        except twofactor.TooManyCodes:
            messages.error(request, _("Too many codes were sent to this number. Wait an hour."))
        except SmsError:
            messages.error(request, _("The text message could not be sent just now."))
        except LookupError:
            messages.error(request, _("Your account has no mobile number for codes."))
        else:
            messages.info(request, _("We sent a code by SMS. Enter it below to sign."))
        return redirect(here + "#ondertekenen")
    try:
        if op == "decline":
            return _decline(request, signer, here)
        return _sign(request, signer, here)
    except signing.NoAccess:
        messages.error(request, _("You can no longer sign this document: you have no access."))
        return redirect("questionnaires:list")
    except signing.NotOpen:
        messages.error(request, _("This signing request is no longer open."))
        return redirect(here)


def _sign(request: AuthenticatedRequest, signer: Signer, here: str) -> HttpResponse:
    user = request.user
    read = request.POST.get("read") == "1"
    answer = request.POST.get("answer", "")
    if not read:
        return _page(
            request,
            signer,
            status=400,
            code_error=_("Tick that you have read the document before you sign."),
        )
    method = ""
    if answer:
        try:
            confirm.check_passkey(request, user=user, answer=answer)
            method = Signer.Method.PASSKEY
        except passkeys.PasskeyError:
            return _page(
                request,
                signer,
                status=400,
                read_ticked=True,
                code_error=_("The passkey could not be used. Try again, or use a code."),
            )
    else:
        state_key = SMS_STATE.format(signer.pk)
        check = confirm.check_code(
            user=user, code=request.POST.get("code", ""), sms=request.session.get(state_key)
        )
        if check.result is not twofactor.Result.OK:
            error = (
                _("Too many wrong codes. Wait a moment and try again.")
                if check.result is twofactor.Result.THROTTLED
                else _(
                    "This code is not correct or no longer valid. Ask for a new SMS code, or "
                    "enter the current code from your app."
                )
            )
            return _page(request, signer, status=400, read_ticked=True, code_error=error)
        if check.method == "sms":
            request.session.pop(state_key, None)
        method = check.method
    signing.sign(signer=signer, by=user, method=method)
    messages.success(request, _("Thank you. You have signed the document."))
    return redirect(here)


def _decline(request: AuthenticatedRequest, signer: Signer, here: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    try:
        signing.decline(signer=signer, by=request.user, reason=reason)
    except ValidationError as exc:
        return _page(request, signer, status=400, reason_error=exc.messages[0], reason=reason)
    messages.success(request, _("You declined to sign. The office has been told."))
    return redirect(here)
