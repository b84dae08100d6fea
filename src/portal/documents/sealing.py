"""The office's electronic seal on PDFs (R-SIG-1).

MERGE PLACEHOLDER: this version returns the PDF unchanged. The real implementation (PAdES with
pyHanko, RFC 3161 timestamp when configured) comes from the ``seal`` branch and replaces this
file whole; callers rely only on the signature below."""

from __future__ import annotations

from typing import Any


def seal_pdf(data: bytes, *, office: Any, code: str | None = None) -> bytes:
    """The PDF ``data`` sealed by ``office`` (placeholder: ``data`` unchanged)."""
    return data
