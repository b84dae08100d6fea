"""Helpers to read the portal's e-mails in tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

from .loopback import free_port

LINK = re.compile(r"https?://[^\s\"'<>]+")


def html_part(message) -> str:
    """The HTML alternative of an EmailMultiAlternatives (locmem) message."""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            return content
    raise AssertionError("no text/html part")


def links(text: str) -> list[str]:
    return LINK.findall(text)


def path_of(link: str) -> str:
    """The path of a portal link, to follow it with Django's test client."""
    return urlsplit(link).path


class SmtpInbox:
    """The aiosmtpd handler of the tests: keeps (recipients, parsed message) of every e-mail."""

    def __init__(self):
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[tuple[SmtpInbox, int]]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the duration; yields its inbox and port."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def send_mail_to(settings, port: int) -> None:
    """Point Django's e-mail at the plain SMTP server on 127.0.0.1:``port``."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
