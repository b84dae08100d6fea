"""Structured logs (ASVS V16): one JSON object a line, without secrets.

``LOG_FORMAT=json`` (the default when ``DEBUG`` is off) writes each record as JSON with
``timestamp``, ``level``, ``logger``, ``message`` and the record's extra fields
(python-json-logger); ``plain`` writes one readable line (the default in the embedded mode).

Whatever the format, the ``redact`` filter on the handler removes what must never reach a log:
the token of an invitation or password link in a path (``/welkom/<token>/``), bearer tokens,
``password=``/``token=``/``code=`` values, and the request object Django attaches to its
``django.request`` records (its text is the full path). The portal never logs passwords, codes
or file contents itself; the filter is the net under that rule, for third-party loggers too
(Django's "Not Found: <path>", gunicorn's access log).

``gunicorn_logconfig()`` gives gunicorn the same handler for its error and access logs:
``gunicorn -c python:portal.gunicorn_config portal.wsgi``."""

from __future__ import annotations

import logging
import os
import re

from pythonjsonlogger.json import JsonFormatter

REDACTED = "[redacted]"
_PATTERNS = [
    # The single-use token in an invitation or password link.
    (re.compile(r"(/(?:welkom|wachtwoord/nieuw)/)[^/\s?#\"']+"), r"\1" + REDACTED),
    (re.compile(r"(?i)(bearer\s+)[^\s\"',]+"), r"\1" + REDACTED),
    (
        re.compile(r"(?i)\b(password\d?|token|code|secret|key|otp)=[^&\s\"',]+"),
        r"\1=" + REDACTED,
    ),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    """Rewrites each record's message (and its request) without secrets; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template, not the arguments
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        request = record.__dict__.get("request")
        if request is not None and not isinstance(request, str):
            record.request = redact(f"{getattr(request, 'method', '')} {request.path}".strip())
        return True


class PortalJsonFormatter(JsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)


def logging_config(fmt: str | None = None, level: str | None = None) -> dict:
    """The ``LOGGING`` dict of the settings (and, with gunicorn's loggers, of gunicorn)."""
    fmt = fmt or os.environ.get("LOG_FORMAT", "json")
    if fmt not in ("json", "plain"):
        raise ValueError("LOG_FORMAT must be 'json' or 'plain'.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "portal.logs.RedactFilter"}},
        "formatters": {
            "json": {"()": "portal.logs.PortalJsonFormatter"},
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "filters": ["redact"],
            }
        },
        "root": {"handlers": ["console"], "level": level or os.environ.get("LOG_LEVEL", "INFO")},
        "loggers": {
            "axes": {"level": "WARNING"},
            "celery": {"level": "WARNING"},
            "kombu": {"level": "ERROR"},
            "fontTools": {"level": "WARNING"},
        },
    }


def gunicorn_logconfig() -> dict:
    """gunicorn's error and access logs through the same redacting handler."""
    config = logging_config()
    config["loggers"].update(
        {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        }
    )
    return config
