"""Helpers to read the portal's e-mails in tests."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

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
