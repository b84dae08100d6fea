"""The pending login: after a correct password, a user with two-step verification is NOT logged
in. The session (with a new key) holds only who is waiting for the second step, since when, the
nonce of the SMS code sent for this attempt and where to go next; ``login()`` happens after a
correct code (and changes the session key again)."""

from __future__ import annotations

import logging
import time

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portal.notifications.sms import SmsError

from . import services

log = logging.getLogger(__name__)

PENDING = "_2fa_pending"
# The second step must follow the first within this many seconds.
PENDING_SECONDS = 10 * 60
# Wrong or throttled attempts before the pending login ends (start again with the password).
MAX_ATTEMPTS = 10


def start_pending_login(request: HttpRequest, user, *, backend: str, landing: str) -> HttpResponse:
    request.session.cycle_key()
    pending = {
        "user": user.pk,
        "backend": backend,
        "since": time.time(),
        "landing": landing,
        "nonce": "",
        "attempts": 0,
    }
    request.session[PENDING] = pending
    device = services.login_sms_device(user)
    if device is not None:
        send_login_code(request, device)
    return redirect("twofactor:login_code")


def send_login_code(request: HttpRequest, device) -> bool:
    pending = request.session[PENDING]
    try:
        pending["nonce"] = services.send_code(device)
    except services.TooManyCodes:
        messages.error(
            request,
            _("Too many codes were sent to this number. Wait an hour, or use a recovery code."),
        )
        return False
    except SmsError:
        messages.error(request, sms_failed_message())
        return False
    finally:
        request.session[PENDING] = pending
    messages.info(
        request,
        _("We sent a code by SMS to %(number)s.") % {"number": device.masked_number},
    )
    return True


def sms_failed_message() -> str:
    return _(
        "The text message could not be sent just now. Please try again in a few minutes, or "
        "use a recovery code."
    )


#: Set in the session when its user proved a second factor: the login code, or a code while
#: turning two-step verification on. The staff workspace requires it (R-OFF, R-X-2).
VERIFIED = "_2fa_verified"


def mark_verified(request: HttpRequest) -> None:
    request.session[VERIFIED] = True


def is_verified(request: HttpRequest) -> bool:
    return bool(request.session.get(VERIFIED))


def get_pending(request: HttpRequest) -> dict | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return pending
