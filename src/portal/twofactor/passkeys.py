"""Passkeys (WebAuthn, R-X-2) on django-otp-webauthn: its credential model (a django-otp device
with a name, ``last_used_at`` and the sign counter) and its helper around py_webauthn. Its JSON
views and its JavaScript are not used: the portal's own pages ask for the ceremony's options
and post the authenticator's answer in an ordinary form (``static/portal/passkeys.js``), so
errors, messages, the audit trail and the second-factor flag work as for the codes.

- The relying party id is the host name the request came to, the only accepted origin is that
  scheme, host and port; attestation "none". The host is one of the request's office's host
  names (``offices.middleware``: an unknown host gets no page), so each office has its own
  relying party (R-TEN-3). A passkey works at the host name it was made at: an office served
  at two host names needs one passkey per host name (WebAuthn binds a credential to its
  relying party id), and a passkey made before an office moved to a new host name is not
  offered there.
- A passkey is always created discoverable and with user verification (PIN, fingerprint, face):
  it is then two factors by itself, and signs in without a password. As the second step after
  the password user verification is not asked again.
- The challenge of a ceremony lives in the session and is taken out before it is checked: an
  answer works once. py_webauthn refuses a sign counter that does not go up.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential, WebAuthnUserHandle
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal.audit.services import record
from portal.core import tenancy
from portal.offices.models import Office

from . import services

log = logging.getLogger("portal.passkeys")

#: Session keys of a ceremony in progress (the challenge and what it requires).
REGISTER_STATE = "_passkey_register"
LOGIN_STATE = "_passkey_login"
SECOND_STEP_STATE = "_passkey_second_step"


class PasskeyError(Exception):
    """The browser's answer is not accepted (wrong origin, replay, unknown credential, …)."""


#: What py_webauthn and django-otp-webauthn raise for an answer they do not accept.
REFUSED = (webauthn_errors.OTPWebAuthnApiError, WebAuthnException, ValueError, KeyError, TypeError)


def _logged(check: Callable) -> Callable:
    """A refused answer is logged with its reason (origin, counter, …), never the answer."""

    @wraps(check)
    def wrapped(*args, **kwargs):
        try:
            return check(*args, **kwargs)
        except PasskeyError as exc:
            log.warning("passkey answer refused (%s): %s", check.__name__, exc)
            raise

    return wrapped


def rp_id(request: HttpRequest | None = None) -> str:
    """The relying party id: the host name the request came to (without a request, that of
    the portal's configured address)."""
    if request is None:
        return urlsplit(settings.PORTAL_BASE_URL).hostname or ""
    return urlsplit(f"//{request.get_host()}").hostname or ""


def origin(request: HttpRequest | None = None) -> str:
    """The only origin a ceremony's answer may come from: the request's scheme, host, port."""
    if request is None:
        parts = urlsplit(settings.PORTAL_BASE_URL)
        return f"{parts.scheme}://{parts.netloc}"
    return f"{request.scheme}://{request.get_host()}"


def rp_name(request: HttpRequest | None = None) -> str:
    return Office.current().name


class PortalWebAuthnHelper(WebAuthnHelper):
    """The library's helper with the portal's relying party, and user verification required
    when a passkey is made."""

    credential_name = ""

    def get_relying_party_domain(self) -> str:
        return rp_id(self.request)

    def get_relying_party_name(self) -> str:
        return rp_name()

    def get_allowed_origins(self) -> list[str]:
        return [origin(self.request)]

    def get_generate_registration_options_kwargs(self, *, user) -> dict:
        kwargs = super().get_generate_registration_options_kwargs(user=user)
        kwargs["authenticator_selection"] = AuthenticatorSelectionCriteria(
            user_verification=UserVerificationRequirement.REQUIRED,
            resident_key=ResidentKeyRequirement.REQUIRED,
        )
        return kwargs

    def create_credential(self, user, response, parsed_credential, original_data):
        device = super().create_credential(user, response, parsed_credential, original_data)
        device.name = self.credential_name
        return device


def _helper(request: HttpRequest) -> PortalWebAuthnHelper:
    return PortalWebAuthnHelper(request=request)


def _parse(raw: str) -> dict:
    try:
        data = json.loads(raw or "")
    except ValueError:
        raise PasskeyError("not JSON") from None
    if not isinstance(data, dict):
        raise PasskeyError("not an object")
    return data


def _take_state(request: HttpRequest, key: str) -> dict:
    """The ceremony's state, out of the session before anything is checked: never twice."""
    state = request.session.pop(key, None)
    request.session.save()
    if not state:
        raise PasskeyError("no ceremony in progress")
    return state


# --- what "Mijn gegevens" shows ------------------------------------------------------------


# --- adding --------------------------------------------------------------------------------


def registration_options(request: HttpRequest, user) -> dict:
    """The options for ``navigator.credentials.create``; the challenge waits in the session."""
    options, state = _helper(request).register_begin(user=user)
    state["user"] = user.pk
    request.session[REGISTER_STATE] = state
    return options


@_logged
def register(request: HttpRequest, *, user, name: str, answer: str):
    """Check the authenticator's answer and store the passkey under ``name`` (audited).
    Returns (the passkey, recovery codes to show once or None): the first second factor of an
    account comes with a set of recovery codes, as with SMS or the app."""
    was_enabled = services.is_enabled(user)
    state = _take_state(request, REGISTER_STATE)
    if state.get("user") != user.pk:
        raise PasskeyError("the ceremony was for another user")
    helper = _helper(request)
    helper.credential_name = name
    try:
        with transaction.atomic():
            device = helper.register_complete(user=user, state=state, data=_parse(answer))
            record("2fa.passkey_added", actor=user, target=user, name=device.name)
            if not was_enabled:
                record("2fa.enabled", actor=user, target=user, method="passkey")
            codes = None if services._has_recovery(user) else services._new_recovery_codes(user)
    except REFUSED as exc:
        raise PasskeyError(f"{type(exc).__name__}: {exc}") from exc
    services._end_other_sessions(user, own_session(request, user))
    return device, codes


def own_session(request: HttpRequest | None, user) -> str | None:
    """The key of the session of ``request`` if it is ``user``'s own: the one to keep when the
    second factor changes (the user's other sessions end)."""
    if request is None or getattr(request, "user", None) != user:
        return None
    return request.session.session_key


# --- signing in ----------------------------------------------------------------------------


def authentication_options(
    request: HttpRequest, *, user=None, state_key: str | None = None
) -> dict | None:
    """Options for ``navigator.credentials.get``. Without ``user``: a sign-in without password,
    any discoverable passkey, user verification required. With ``user`` (the second step after
    the password): that user's passkeys only; None if they have none. ``state_key``: the
    session key of a ceremony of its own (a signature confirmed with a passkey), which then
    requires user verification too."""
    options, state = _helper(request).authenticate_begin(
        user=user, require_user_verification=user is None or state_key is not None
    )
    if user is not None and not options.get("allowCredentials"):
        return None
    state["user"] = user.pk if user is not None else None
    key = state_key or (SECOND_STEP_STATE if user is not None else LOGIN_STATE)
    request.session[key] = state
    return options


@_logged
def authenticate(
    request: HttpRequest, *, answer: str, user=None, state_key: str | None = None
) -> WebAuthnCredential:
    """Check an assertion: against the pending ``user``'s passkeys (second step), or any
    passkey (sign-in without password); ``state_key`` as for ``authentication_options``.
    Returns the passkey used; its counter and last use are saved. Raises PasskeyError for
    anything not accepted."""
    state = _take_state(
        request, state_key or (SECOND_STEP_STATE if user is not None else LOGIN_STATE)
    )
    expected_user = user.pk if user is not None else None
    if state.get("user") != expected_user:
        raise PasskeyError("the ceremony was for another user")
    data = _parse(answer)
    try:
        with transaction.atomic():
            _lock(data)
            device = _helper(request).authenticate_complete(user=user, state=state, data=data)
            # Inside the transaction: a refused answer leaves counter and last use as they were.
            if not device.confirmed or not device.user.is_active:
                raise PasskeyError("passkey or account not active")
            # Passkeys hang off an account, and accounts are the office's (R-TEN-3): another
            # office's account never signs in here, whatever its relying party.
            if device.user.office_id != tenancy.current_office_id():
                raise PasskeyError("the passkey's account is of another office")
            _check_user_handle(device, data)
    except REFUSED as exc:
        raise PasskeyError(f"{type(exc).__name__}: {exc}") from exc
    return device


def _lock(data: dict) -> None:
    """Lock the passkey's row for the check: two answers at once cannot both pass the sign
    counter check with the same count."""
    raw_id = data.get("rawId") or data.get("id") or ""
    if not isinstance(raw_id, str):
        raise PasskeyError("no credential id")
    digest = WebAuthnCredential.get_credential_id_sha256(base64url_to_bytes(raw_id))
    list(WebAuthnCredential.objects.select_for_update().filter(credential_id_sha256=digest))


def _check_user_handle(device: WebAuthnCredential, data: dict) -> None:
    """A discoverable passkey names its account (the user handle): it must be the passkey's."""
    handle = (data.get("response") or {}).get("userHandle")
    if not handle:
        return
    if not isinstance(handle, str):
        raise PasskeyError("bad user handle")
    own = WebAuthnUserHandle.objects.filter(user_id=device.user_id).first()
    if own is None or own.handle != base64url_to_bytes(handle):
        raise PasskeyError("the user handle is not the passkey's account")


# --- removing ------------------------------------------------------------------------------


def remove(*, user, device: WebAuthnCredential, request=None) -> None:
    """Remove one passkey (audited). Without any second factor left, two-step verification
    is off, recovery codes included: the account goes on with its password."""
    with transaction.atomic():
        name = device.name
        device.delete()
        record("2fa.passkey_removed", actor=user, target=user, name=name)
        if not services.is_enabled(user):
            services.disable(user=user, keep_session=own_session(request, user))
            return
    services._end_other_sessions(user, own_session(request, user))
