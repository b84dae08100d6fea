"""The embedded mode's e-mail backend: every message is written to ``MAIL_DIR`` as an .eml file,
where a person trying the portal can read it (``/dev/outbox/`` when DEBUG is on). Each file
names the office that sent it (``OFFICE_HEADER``), so the outbox shows each office its own."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from portal.core import tenancy

#: The office that sent a message, written into the outbox's files only (never sent out).
OFFICE_HEADER = "X-Portal-Office"


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(settings.MAIL_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}.eml"
            mime = message.message()
            office = tenancy.chosen_office()
            if office is not None:
                mime[OFFICE_HEADER] = str(office.pk)
            (folder / name).write_bytes(mime.as_bytes(linesep="\n"))
            sent += 1
        return sent
