"""The development outbox: read the e-mails of the embedded mode. Routed only when DEBUG.
Each office sees only its own e-mails and text messages (R-TEN-2): those the delivery marked
with the request's office (the outbox backends write it: ``X-Portal-Office``, the SMS file's
``Office:`` line)."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from portal.core import tenancy
from portal.notifications.backends import OFFICE_HEADER

NAME = re.compile(r"^[0-9A-Za-z-]+\.eml$")


def _read(path: Path) -> dict[str, Any]:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return {
        "name": path.name,
        "subject": message["subject"],
        "to": message["to"],
        "from": message["from"],
        "date": message["date"],
        "office": message[OFFICE_HEADER] or "",
        "text": text.get_content() if text else "",
        "html": html.get_content() if html else "",
    }


def _files() -> list[Path]:
    folder = Path(settings.MAIL_DIR)
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.eml"), reverse=True)[:200]


def _text_messages() -> list[dict[str, Any]]:
    """The SMS of the embedded mode (``SMS_DIR``), newest first."""
    folder = Path(settings.SMS_DIR)
    if not folder.is_dir():
        return []
    office = str(tenancy.current_office_id())
    found = []
    for path in sorted(folder.glob("*.sms"), reverse=True)[:200]:
        head, _, body = path.read_text().partition("\n\n")
        fields = dict(line.partition(": ")[::2] for line in head.splitlines())
        if fields.get("Office") == office:
            found.append({"name": path.name, "to": fields.get("To", ""), "text": body.strip()})
    return found[:50]


def _own(mail: dict[str, Any]) -> bool:
    return bool(mail["office"] == str(tenancy.current_office_id()))


def outbox(request: HttpRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404
    return render(
        request,
        "notifications/outbox.html",
        {"mails": [m for m in map(_read, _files()) if _own(m)], "sms": _text_messages()},
    )


def outbox_message(request: HttpRequest, name: str) -> HttpResponse:
    if not settings.DEBUG or not NAME.match(name):
        raise Http404
    path = Path(settings.MAIL_DIR) / name
    if not path.is_file():
        raise Http404
    mail = _read(path)
    if not _own(mail):
        raise Http404
    return render(request, "notifications/outbox_message.html", {"mail": mail})
