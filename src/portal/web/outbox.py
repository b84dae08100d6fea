"""The development outbox: read the e-mails of the embedded mode. Routed only when DEBUG."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

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
    found = []
    for path in sorted(folder.glob("*.sms"), reverse=True)[:50]:
        head, _, body = path.read_text().partition("\n\n")
        to = head.splitlines()[0].removeprefix("To: ") if head else ""
        found.append({"name": path.name, "to": to, "text": body.strip()})
    return found


def outbox(request: HttpRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404
    return render(
        request,
        "notifications/outbox.html",
        {"mails": [_read(p) for p in _files()], "sms": _text_messages()},
    )


def outbox_message(request: HttpRequest, name: str) -> HttpResponse:
    if not settings.DEBUG or not NAME.match(name):
        raise Http404
    path = Path(settings.MAIL_DIR) / name
    if not path.is_file():
        raise Http404
    return render(request, "notifications/outbox_message.html", {"mail": _read(path)})
