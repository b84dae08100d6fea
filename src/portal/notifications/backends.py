"""The embedded mode's e-mail backend: every message is written to ``MAIL_DIR`` as an .eml file,
where a person trying the portal can read it (``/dev/outbox/`` when DEBUG is on)."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(settings.MAIL_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}.eml"
            (folder / name).write_bytes(message.message().as_bytes(linesep="\n"))
            sent += 1
        return sent
