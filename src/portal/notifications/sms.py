"""Sending text messages (SMS) behind a small interface, like Django's e-mail backends.

``SMS_BACKEND`` names the backend: ``outbox`` (the embedded mode: each message is a file in
``SMS_DIR``, readable at ``/dev/outbox/``) or ``twilio`` (Twilio's Programmable Messaging HTTP
API), or a dotted path to a class with ``send(to, text, sender=...)``. The sender is the
office's SMS sender name (``Office.sms_sender``), else ``SMS_FROM``. A backend raises
``SmsError`` when the provider cannot take the message; callers show the user a clear message,
never a crash.

The text of an SMS is the one place a secret (a login code) leaves the portal: never log it.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from pathlib import Path

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from portal.core import tenancy
from portal.offices.services import is_suspended

log = logging.getLogger(__name__)

BACKENDS = {
    "outbox": "portal.notifications.sms.OutboxSmsBackend",
    "twilio": "portal.notifications.sms.TwilioSmsBackend",
}


class SmsError(Exception):
    """The provider could not take the message (down, refused, timed out)."""


class BaseSmsBackend:
    def send(self, to: str, text: str, sender: str = "") -> None:  # pragma: no cover
        raise NotImplementedError


class OutboxSmsBackend(BaseSmsBackend):
    """The embedded mode: every SMS is written to ``SMS_DIR`` as a small text file."""

    def send(self, to: str, text: str, sender: str = "") -> None:
        folder = Path(settings.SMS_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}.sms"
        # The office line lets the development outbox show each office its own messages.
        office = tenancy.chosen_office()
        office_id = office.pk if office is not None else ""
        (folder / name).write_text(
            f"To: {to}\nFrom: {sender or settings.SMS_FROM}\nOffice: {office_id}\n\n{text}\n"
        )


class TwilioSmsBackend(BaseSmsBackend):
    """Twilio's Messages API: ``POST {TWILIO_API_URL}/2010-04-01/Accounts/{sid}/Messages.json``
    with HTTP basic auth (account SID, auth token) and the form fields To, From and Body."""

    def send(self, to: str, text: str, sender: str = "") -> None:
        sid = settings.TWILIO_ACCOUNT_SID
        url = f"{settings.TWILIO_API_URL}/2010-04-01/Accounts/{sid}/Messages.json"
        try:
            response = requests.post(
                url,
                data={"To": to, "From": sender or settings.SMS_FROM, "Body": text},
                auth=(sid, settings.TWILIO_AUTH_TOKEN),
                timeout=settings.SMS_TIMEOUT,
            )
        except requests.RequestException as exc:
            log.warning("SMS provider unreachable: %s", type(exc).__name__)
            raise SmsError("provider unreachable") from exc
        if response.status_code >= 300:
            # The body may echo the message: log only the status and the provider's error code.
            code = ""
            with contextlib.suppress(ValueError):
                code = str(response.json().get("code", ""))
            log.warning("SMS provider refused the message: HTTP %s %s", response.status_code, code)
            raise SmsError(f"provider answered {response.status_code}")


def get_backend() -> BaseSmsBackend:
    path = BACKENDS.get(settings.SMS_BACKEND, settings.SMS_BACKEND)
    return import_string(path)()


def send_sms(to: str, text: str) -> None:
    """Send ``text`` to the E.164 number ``to`` now, from the office's sender name. Raises
    ``SmsError`` on failure. Nothing is sent for a suspended office (R-TEN-4): the message is
    dropped with a log line (a login code is worthless later, so it is not kept)."""
    if is_suspended():
        log.info("SMS dropped: the office is suspended.")
        return
    office = tenancy.chosen_office()
    sender = getattr(office, "sms_sender", "") if office is not None else ""
    get_backend().send(to, text, sender=sender or settings.SMS_FROM)
