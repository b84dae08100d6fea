"""A fresh second factor that confirms one act (R-SIG-5: signing a document), not the login's.

The verification of the login proves who opened the session; a signature needs the signer's
own act at that moment. So the confirmation is a new one:

- SMS: a code sent now for this act (``send_code(signing=True)``, its own text), bound to a
  nonce the caller keeps with the act; it works once and only within ``FRESH_SECONDS`` of
  being sent. Sending it makes any earlier code (the login's) unusable.
- Authenticator app: django-otp's ``TOTPDevice.verify_token`` keeps the last time step used
  (``last_t``) and refuses a code of that step or an earlier one: the code typed at login
  cannot be replayed to sign.
- Passkey: an assertion over a challenge made for this act (its own session key, user
  verification required), taken out of the session before it is checked.

Recovery codes do not confirm a signature: they are for getting back in, not for acts.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from portal.accounts.models import User

from . import passkeys, services
from .models import SmsDevice
from .services import Check, Result

#: How long after it was sent (or the passkey challenge made) a confirmation is accepted.
FRESH_SECONDS = 5 * 60
#: The session key of a passkey ceremony that confirms an act.
PASSKEY_STATE = "_passkey_confirm"

SIX_DIGITS = re.compile(r"^\d{6}$")


@dataclass
class Factors:
    """The second factors an account can confirm with."""

    sms: SmsDevice | None
    totp: bool
    passkey: bool

    @property
    def any(self) -> bool:
        return bool(self.sms or self.totp or self.passkey)


def factors(user: User) -> Factors:
    return Factors(
        sms=SmsDevice.objects.filter(user=user, confirmed=True).first(),
        totp=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        passkey=WebAuthnCredential.objects.filter(user=user, confirmed=True).exists(),
    )


def send_sms(user: User) -> dict:
    """Send a fresh confirmation code to ``user``'s phone. Returns the state to keep with the
    act (nonce and time sent). Raises ``services.TooManyCodes``, ``SmsError``, or
    ``LookupError`` when the account has no SMS number."""
    device = SmsDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise LookupError("no SMS device")
    nonce = services.send_code(device, signing=True)
    return {"nonce": nonce, "sent": time.time(), "number": device.masked_number}


def check_code(*, user: User, code: str, sms: dict | None) -> Check:
    """A 6-digit code: the SMS code sent for this act (``sms``: the state ``send_sms``
    returned; refused once older than ``FRESH_SECONDS``) or the app's current code (never one
    used before). Throttled like the login's codes."""
    code = re.sub(r"[\s-]", "", code or "")
    if not SIX_DIGITS.match(code):
        return Check(Result.WRONG)
    sms_device = SmsDevice.objects.filter(user=user, confirmed=True).first()
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    devices: list[SmsDevice | TOTPDevice] = [d for d in (sms_device, totp) if d is not None]
    if not devices:
        return Check(Result.WRONG)
    if any(services._throttled(device) for device in devices):
        return Check(Result.THROTTLED)
    fresh_sms = sms is not None and time.time() - float(sms.get("sent", 0)) <= FRESH_SECONDS
    if (
        sms_device is not None
        and sms is not None
        and fresh_sms
        and services._verify_sms(sms_device, str(sms.get("nonce", "")), code)
    ):
        sms_device.throttle_reset()
        return Check(Result.OK, "sms")
    if totp is not None and totp.verify_token(code):  # replay-safe; counts its own failures
        return Check(Result.OK, "totp")
    if sms_device is not None:
        sms_device.throttle_increment()
    return Check(Result.WRONG)


def passkey_options(request: HttpRequest, user: User) -> dict | None:
    """Options for a passkey ceremony that confirms an act; None without a passkey."""
    options = passkeys.authentication_options(request, user=user, state_key=PASSKEY_STATE)
    if options is not None:
        request.session[PASSKEY_STATE]["since"] = time.time()
        request.session.modified = True
    return options


def check_passkey(request: HttpRequest, *, user: User, answer: str) -> WebAuthnCredential:
    """Check the assertion of the ceremony ``passkey_options`` began (once; a challenge older
    than ``FRESH_SECONDS`` is refused). Raises ``passkeys.PasskeyError``."""
    state = request.session.get(PASSKEY_STATE) or {}
    if time.time() - float(state.get("since", 0)) > FRESH_SECONDS:
        request.session.pop(PASSKEY_STATE, None)
        raise passkeys.PasskeyError("the challenge is stale")
    return passkeys.authenticate(request, answer=answer, user=user, state_key=PASSKEY_STATE)
