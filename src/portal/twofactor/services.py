"""The actions of two-step verification (R-ME-2, R-X-2): set up SMS or an authenticator app,
send and check codes, recovery codes, turn it off. Views and tests call these only."""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from portal.accounts.models import User
from portal.accounts.services import end_sessions
from portal.audit.services import record
from portal.notifications.sms import send_sms

from .models import RecoveryCode, RecoveryDevice, SmsCodeSent, SmsDevice, code_hash

RECOVERY_CODE_COUNT = 10
# Without look-alike characters (0/O, 1/I/L): the codes are typed from paper.
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SIX_DIGITS = re.compile(r"^\d{6}$")


class TooManyCodes(Exception):
    """The number has had its share of SMS codes this hour."""


class Result(Enum):
    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"


@dataclass
class Check:
    result: Result
    method: str = ""  # "sms", "totp" or "recovery" when OK


def parse_mobile(raw: str) -> str:
    """A Dutch (06-12345678, +31 6 …) or international mobile number as E.164; ValueError if it
    is not a valid mobile number."""
    try:
        number = phonenumbers.parse(raw, "NL")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("invalid")
    kind = phonenumbers.number_type(number)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValueError("not a mobile number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_enabled(user: User | AnonymousUser) -> bool:
    """Does ``user`` log in with a second factor?"""
    if isinstance(user, AnonymousUser):
        return False
    return (
        SmsDevice.objects.filter(user=user, confirmed=True).exists()
        or TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def passkeys_of(user: User) -> list[WebAuthnCredential]:
    return list(
        WebAuthnCredential.objects.filter(user=user, confirmed=True)
        .only("id", "name", "created_at", "last_used_at")
        .order_by("created_at", "id")
    )


def status(user: User) -> dict[str, Any]:
    """What "Mijn gegevens" shows: the SMS number, the app, the passkeys, recovery codes left
    (4 queries)."""
    sms = SmsDevice.objects.filter(user=user, confirmed=True).first()
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    keys = passkeys_of(user)
    left = RecoveryCode.objects.filter(
        device__user=user, device__confirmed=True, used_at__isnull=True
    ).count()
    return {
        "sms": sms,
        "totp": totp,
        "passkeys": keys,
        "enabled": bool(sms or totp or keys),
        "recovery_left": left,
    }


# --- SMS codes ---------------------------------------------------------------------------------


def send_code(device: SmsDevice, *, signing: bool = False) -> str:
    """Send a fresh 6-digit code to ``device`` and return the nonce it is bound to (keep it in
    the session of this setup or login attempt). An earlier code stops working. ``signing``:
    the text says the code signs a document, so it is never mistaken for a login code.

    Raises TooManyCodes (limit per number per hour) or SmsError (provider down)."""
    since = timezone.now() - timedelta(hours=1)
    if SmsCodeSent.objects.filter(number=device.number, sent_at__gte=since).count() >= (
        settings.SMS_CODES_PER_HOUR
    ):
        raise TooManyCodes
    code = f"{secrets.randbelow(10**6):06d}"
    nonce = secrets.token_urlsafe(24)
    with override(device.user.language or "nl"):
        if signing:
            text = _(
                "Your code to SIGN a document in the client portal is %(code)s. Enter it only "
                "if you are signing now. Never share this code."
            ) % {"code": code}
        else:
            text = _(
                "Your login code for the client portal is %(code)s. It is valid for "
                "%(minutes)d minutes. Never share this code."
            ) % {"code": code, "minutes": settings.SMS_CODE_MINUTES}
    send_sms(device.number, text)
    SmsCodeSent.objects.create(number=device.number)
    device.challenge_hash = code_hash(nonce, code)
    device.challenge_expires = timezone.now() + timedelta(minutes=settings.SMS_CODE_MINUTES)
    device.save(update_fields=["challenge_hash", "challenge_expires"])
    return nonce


def _verify_sms(device: SmsDevice, nonce: str, code: str) -> bool:
    """Check ``code`` against the code sent for ``nonce``; a match uses the code up."""
    with transaction.atomic():
        device = SmsDevice.objects.select_for_update().get(pk=device.pk)
        ok = (
            bool(nonce)
            and bool(device.challenge_hash)
            and device.challenge_expires is not None
            and device.challenge_expires > timezone.now()
            and hmac.compare_digest(device.challenge_hash, code_hash(nonce, code))
        )
        if ok:
            device.challenge_hash = ""
            device.challenge_expires = None
            device.save(update_fields=["challenge_hash", "challenge_expires"])
    return ok


def _throttled(device: SmsDevice | TOTPDevice | RecoveryDevice) -> bool:
    allowed, _info = device.verify_is_allowed()
    return not allowed


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


# --- Setting up --------------------------------------------------------------------------------


@transaction.atomic
def start_sms_setup(*, user: User, number: str) -> SmsDevice:
    """A pending (unconfirmed) SMS device for ``number``; the confirmed one stays until then."""
    SmsDevice.objects.filter(user=user, confirmed=False).delete()
    return SmsDevice.objects.create(user=user, name="sms", number=number, confirmed=False)


def pending_sms_device(user: User) -> SmsDevice | None:
    return SmsDevice.objects.filter(user=user, confirmed=False).first()


def confirm_sms_setup(
    *, user: User, device: SmsDevice, nonce: str, code: str, keep_session: str | None = None
) -> tuple[Check, list[str] | None]:
    """Check the code of the setup. Returns (Check, recovery codes or None)."""
    if _throttled(device):
        return Check(Result.THROTTLED), None
    if not _verify_sms(device, nonce, _clean(code)):
        device.throttle_increment()
        return Check(Result.WRONG), None
    with transaction.atomic():
        SmsDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.throttle_reset(commit=False)
        device.save()
        record("2fa.enabled", actor=user, target=user, method="sms")
        _end_other_sessions(user, keep_session)
        codes = None if _has_recovery(user) else _new_recovery_codes(user)
    return Check(Result.OK, "sms"), codes


@transaction.atomic
def start_totp_setup(*, user: User) -> TOTPDevice:
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="app", confirmed=False)


def pending_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def confirm_totp_setup(
    *, user: User, device: TOTPDevice, code: str, keep_session: str | None = None
) -> tuple[Check, list[str] | None]:
    code = _clean(code)
    if _throttled(device):
        return Check(Result.THROTTLED), None
    if not SIX_DIGITS.match(code) or not device.verify_token(code):
        return Check(Result.WRONG), None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record("2fa.enabled", actor=user, target=user, method="totp")
        _end_other_sessions(user, keep_session)
        codes = None if _has_recovery(user) else _new_recovery_codes(user)
    return Check(Result.OK, "totp"), codes


def _has_recovery(user: User) -> bool:
    return RecoveryDevice.objects.filter(user=user, confirmed=True).exists()


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryDevice.objects.filter(user=user).delete()
    device = RecoveryDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=code_hash(str(user.pk), code)) for code in codes
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    """A fresh set; the old codes stop working. Returns the codes to show once."""
    codes = _new_recovery_codes(user)
    record("2fa.recovery_codes_regenerated", actor=user, target=user)
    return codes


@transaction.atomic
def disable(*, user: User, by: User | None = None, keep_session: str | None = None) -> None:
    """Turn two-step verification off: every device (passkeys too) and recovery code goes."""
    SmsDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    RecoveryDevice.objects.filter(user=user).delete()
    record("2fa.disabled", actor=by or user, target=user)
    _end_other_sessions(user, keep_session)


def _end_other_sessions(user: User, keep_session: str | None) -> None:
    """A change of the second factor ends the user's other sessions (ASVS V7): only
    ``keep_session`` stays, the session that made the change if it is the user's own."""
    end_sessions(user, keep=keep_session)


# --- Logging in --------------------------------------------------------------------------------


def login_sms_device(user: User) -> SmsDevice | None:
    return SmsDevice.objects.filter(user=user, confirmed=True).first()


def verify_login(*, user: User, code: str, sms_nonce: str = "") -> Check:
    """The second step of logging in: a code by SMS, from the app, or a recovery code."""
    code = _clean(code)
    if SIX_DIGITS.match(code):
        devices = list(SmsDevice.objects.filter(user=user, confirmed=True)) + list(
            TOTPDevice.objects.filter(user=user, confirmed=True)
        )
        if not devices:
            return Check(Result.WRONG)
        if any(_throttled(device) for device in devices):
            return Check(Result.THROTTLED)
        for device in devices:
            if isinstance(device, SmsDevice):
                if _verify_sms(device, sms_nonce, code):
                    device.throttle_reset()
                    return Check(Result.OK, "sms")
            elif device.verify_token(code):  # TOTPDevice: replay-safe, resets its throttle
                return Check(Result.OK, "totp")
        for device in devices:
            if isinstance(device, SmsDevice):
                device.throttle_increment()
            # TOTPDevice.verify_token counted its own failure.
        return Check(Result.WRONG)
    recovery = RecoveryDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is None or not code:
        return Check(Result.WRONG)
    if _throttled(recovery):
        return Check(Result.THROTTLED)
    used = RecoveryCode.objects.filter(
        device=recovery, code_hash=code_hash(str(user.pk), code), used_at__isnull=True
    ).update(used_at=timezone.now())
    if not used:
        recovery.throttle_increment()
        return Check(Result.WRONG)
    recovery.throttle_reset()
    return Check(Result.OK, "recovery")
