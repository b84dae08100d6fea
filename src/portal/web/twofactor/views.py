"""Pages of two-step verification (R-ME-2, R-X-2): the second login step, and setting it up,
changing and turning it off under "Mijn gegevens"."""

from __future__ import annotations

import base64
import json
from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.models import User
from portal.accounts.ratelimits import limited
from portal.accounts.roles import is_staff_member
from portal.audit.services import record
from portal.notifications.sms import SmsError
from portal.request_types import AuthenticatedRequest
from portal.twofactor import passkeys, services
from portal.twofactor.login import (
    MAX_ATTEMPTS,
    PENDING,
    get_pending,
    is_verified,
    mark_verified,
    send_login_code,
    sms_failed_message,
)

from .forms import (
    CodeForm,
    LoginCodeForm,
    MobileNumberForm,
    PasskeyAnswerForm,
    PasskeyNameForm,
    PasswordForm,
)

SETUP_NONCE = "_2fa_setup_nonce"


def pending_user(request: HttpRequest) -> int | None:
    """The user a pending login waits for (the rate limits of the code step count per user)."""
    pending = get_pending(request)
    return pending["user"] if pending else None


def _wrong_code_message(check: services.Check) -> str:
    if check.result is services.Result.THROTTLED:
        return _("Too many wrong codes. Wait a moment and try again.")
    return _("This code is not correct or no longer valid. Please try again.")


# --- the second login step ---------------------------------------------------------------------


def _pending_login(
    request: HttpRequest,
) -> tuple[dict[str, Any], User] | tuple[None, None]:
    """The login waiting for its second step: (pending, user), or (None, None) when it expired
    (said so) or its account is gone or blocked."""
    pending = get_pending(request)
    if pending is None:
        messages.error(request, _("Your login has expired. Please log in again."))
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return None, None
    return pending, user


@login_not_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@limited("code", user_of=pending_user)
def login_code(request: HttpRequest) -> HttpResponse:
    pending, user = _pending_login(request)
    if pending is None or user is None:
        return redirect("accounts:login")
    form = LoginCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        check = services.verify_login(
            user=user, code=form.cleaned_data["code"], sms_nonce=pending.get("nonce", "")
        )
        if check.result is services.Result.OK:
            _log_in_pending(request, user, pending)
            record("login.second_factor", actor=user, method=check.method)
            if check.method == "recovery":
                messages.warning(
                    request,
                    _(
                        "You logged in with a recovery code; it cannot be used again. "
                        "Make a new set under My details when you run low."
                    ),
                )
            return redirect(pending["landing"])
        pending["attempts"] = pending.get("attempts", 0) + 1
        if pending["attempts"] >= MAX_ATTEMPTS:
            request.session.pop(PENDING, None)
            messages.error(request, _("Too many wrong codes. Please log in again."))
            return redirect("accounts:login")
        request.session[PENDING] = pending
        form.add_error("code", _wrong_code_message(check))
    return _login_code_page(request, user, form)


def _login_code_page(request: HttpRequest, user: User, form: forms.Form) -> HttpResponse:
    sms = services.login_sms_device(user)
    options = passkeys.authentication_options(request, user=user)
    return render(
        request,
        "twofactor/login_code.html",
        {
            "form": form,
            "sms": sms,
            "passkey_options": json.dumps(options) if options else "",
        },
    )


def _log_in_pending(request: HttpRequest, user: User, pending: dict[str, Any]) -> None:
    request.session.pop(PENDING, None)
    login(request, user, backend=pending["backend"])
    mark_verified(request)


@login_not_required
@never_cache
@require_POST
@limited("code", user_of=pending_user)
def login_passkey(request: HttpRequest) -> HttpResponse:
    """The second login step with a passkey ("Gebruik uw passkey") instead of a code."""
    pending, user = _pending_login(request)
    if pending is None or user is None:
        return redirect("accounts:login")
    form = PasskeyAnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise passkeys.PasskeyError("no answer")
        device = passkeys.authenticate(request, answer=form.cleaned_data["answer"], user=user)
    except passkeys.PasskeyError:
        pending["attempts"] = pending.get("attempts", 0) + 1
        if pending["attempts"] >= MAX_ATTEMPTS:
            request.session.pop(PENDING, None)
            messages.error(request, _("Too many failed attempts. Please log in again."))
            return redirect("accounts:login")
        request.session[PENDING] = pending
        messages.error(request, passkey_failed_message())
        return redirect("twofactor:login_code")
    _log_in_pending(request, user, pending)
    record("login.second_factor", actor=user, method="passkey", name=device.name)
    return redirect(pending["landing"])


def passkey_failed_message() -> str:
    return _(
        "That passkey could not be used. Try again, use another passkey, or use a code or "
        "recovery code."
    )


@login_not_required
@never_cache
@require_POST
@limited("sms", user_of=pending_user)
def login_resend(request: HttpRequest) -> HttpResponse:
    pending = get_pending(request)
    if pending is None:
        return redirect("accounts:login")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    device = services.login_sms_device(user) if user else None
    if device is not None:
        send_login_code(request, device)
    return redirect("twofactor:login_code")


# --- setting up --------------------------------------------------------------------------------


def too_many_codes_message() -> str:
    return _("Too many codes were sent to this number. Wait an hour.")


def _setup_done(request: HttpRequest, codes: list[str] | None, done: str) -> HttpResponse:
    """A second factor is confirmed: this session passed it; show new recovery codes once, or
    say so and go on."""
    mark_verified(request)
    if codes:
        return _show_recovery_codes(request, codes)
    messages.success(request, done)
    return redirect(_after_setup(request))


def _after_setup(request: HttpRequest) -> str:
    """Staff go on to their workspace, clients back to "Mijn gegevens"."""
    if is_staff_member(request.user):
        return "workspace:inbox"
    return "accounts:profile"


def _show_recovery_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    response = render(
        request,
        "twofactor/recovery_codes.html",
        {"codes": codes, "next_url": _after_setup(request)},
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@limited("sms")
def setup_sms(request: AuthenticatedRequest) -> HttpResponse:
    """Enter (or change) the mobile number; a code goes to it by SMS."""
    user = request.user
    form = MobileNumberForm(
        request.POST if request.method == "POST" else None,
        user=user,
        ask_password=services.is_enabled(user),
    )
    if request.method == "POST" and form.is_valid():
        device = services.start_sms_setup(user=user, number=form.cleaned_data["number"])
        try:
            request.session[SETUP_NONCE] = services.send_code(device)
        except services.TooManyCodes:
            form.add_error(None, too_many_codes_message())
        except SmsError:
            form.add_error(None, sms_failed_message())
        else:
            return redirect("twofactor:sms_confirm")
    return render(request, "twofactor/sms_setup.html", {"form": form})


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@limited("code")
def sms_confirm(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    device = services.pending_sms_device(user)
    if device is None:
        return redirect("twofactor:sms_setup")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        check, codes = services.confirm_sms_setup(
            user=user,
            device=device,
            nonce=request.session.get(SETUP_NONCE, ""),
            code=form.cleaned_data["code"],
            keep_session=passkeys.own_session(request, user),
        )
        if check.result is services.Result.OK:
            request.session.pop(SETUP_NONCE, None)
            return _setup_done(request, codes, _("Two-step verification by SMS is on."))
        form.add_error("code", _wrong_code_message(check))
    return render(request, "twofactor/sms_confirm.html", {"form": form, "device": device})


@never_cache
@require_POST
@limited("sms")
def sms_resend(request: AuthenticatedRequest) -> HttpResponse:
    device = services.pending_sms_device(request.user)
    if device is None:
        return redirect("twofactor:sms_setup")
    try:
        request.session[SETUP_NONCE] = services.send_code(device)
        messages.info(request, _("A new code is on its way."))
    except services.TooManyCodes:
        messages.error(request, too_many_codes_message())
    except SmsError:
        messages.error(request, sms_failed_message())
    return redirect("twofactor:sms_confirm")


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@limited("password_check")
def totp_start(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = PasswordForm(
        request.POST if request.method == "POST" else None,
        user=user,
        ask_password=services.is_enabled(user),
    )
    if request.method == "POST" and form.is_valid():
        services.start_totp_setup(user=user)
        return redirect("twofactor:totp_confirm")
    return render(request, "twofactor/totp_start.html", {"form": form})


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@limited("code")
def totp_confirm(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    device = services.pending_totp_device(user)
    if device is None:
        return redirect("twofactor:totp_start")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        check, codes = services.confirm_totp_setup(
            user=user,
            device=device,
            code=form.cleaned_data["code"],
            keep_session=passkeys.own_session(request, user),
        )
        if check.result is services.Result.OK:
            return _setup_done(
                request, codes, _("Two-step verification with an authenticator app is on.")
            )
        form.add_error("code", _wrong_code_message(check))
    qr = segno.make(device.config_url, error="m").svg_inline(
        scale=4, title=_("QR code for your authenticator app")
    )
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    response = render(
        request,
        "twofactor/totp_confirm.html",
        {
            "form": form,
            "qr": mark_safe(qr),  # noqa: S308 - SVG made by segno from our own data
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@limited("password_check")
def recovery_codes(request: AuthenticatedRequest) -> HttpResponse:
    """Make a fresh set of recovery codes (the old ones stop working)."""
    user = request.user
    if not services.is_enabled(user):
        return redirect("accounts:profile")
    form = PasswordForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        return _show_recovery_codes(request, services.regenerate_recovery_codes(user=user))
    return render(request, "twofactor/recovery_new.html", {"form": form})


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@limited("password_check")
def disable(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if not services.is_enabled(user):
        return redirect("accounts:profile")
    form = PasswordForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        services.disable(user=user, keep_session=passkeys.own_session(request, user))
        messages.success(request, _("Two-step verification is off."))
        return redirect("accounts:profile")
    return render(request, "twofactor/disable.html", {"form": form})


# --- passkeys ------------------------------------------------------------------------------

PASSKEY_NAME = "_passkey_name"


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@limited("password_check")
def passkey_add(request: AuthenticatedRequest) -> HttpResponse:
    """Add a passkey: its name (and the password, when a second factor is already on)."""
    user = request.user
    enabled = services.is_enabled(user)
    if enabled and not is_verified(request):
        # Only a session that passed the second factor may add one (never a way around it).
        messages.error(request, _("Log in again with your second step to add a passkey."))
        return redirect("accounts:profile")
    form = PasskeyNameForm(
        request.POST if request.method == "POST" else None, user=user, ask_password=enabled
    )
    if request.method == "POST" and form.is_valid():
        request.session[PASSKEY_NAME] = form.cleaned_data["name"]
        return redirect("twofactor:passkey_create")
    return render(request, "twofactor/passkey_add.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
@limited("code")
def passkey_create(request: AuthenticatedRequest) -> HttpResponse:
    """Make the passkey on this device (the browser asks for a PIN, fingerprint or face) and
    store it under the name chosen."""
    user = request.user
    name = request.session.get(PASSKEY_NAME)
    if not name:
        return redirect("twofactor:passkey_add")
    if request.method == "POST":
        form = PasskeyAnswerForm(request.POST)
        try:
            if not form.is_valid():
                raise passkeys.PasskeyError("no answer")
            _device, codes = passkeys.register(
                request, user=user, name=name, answer=form.cleaned_data["answer"]
            )
        except passkeys.PasskeyError:
            messages.error(
                request,
                _("The passkey could not be added. Please try again, or use another device."),
            )
        else:
            request.session.pop(PASSKEY_NAME, None)
            return _setup_done(
                request, codes, _("The passkey “%(name)s” has been added.") % {"name": name}
            )
    return render(
        request,
        "twofactor/passkey_create.html",
        {
            "name": name,
            "options": json.dumps(passkeys.registration_options(request, user)),
        },
    )


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@limited("password_check")
def passkey_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Remove one passkey; the password is asked again."""
    user = request.user
    device = get_object_or_404(passkeys.WebAuthnCredential, pk=pk, user=user)
    form = PasswordForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        passkeys.remove(user=user, device=device, request=request)
        if services.is_enabled(user):
            messages.success(
                request, _("The passkey “%(name)s” has been removed.") % {"name": device.name}
            )
        else:
            messages.success(
                request,
                _(
                    "The passkey “%(name)s” has been removed. It was your last second step: "
                    "two-step verification is off, you log in with your password."
                )
                % {"name": device.name},
            )
        return redirect("accounts:profile")
    return render(request, "twofactor/passkey_remove.html", {"form": form, "device": device})
