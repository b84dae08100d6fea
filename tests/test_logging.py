"""Structured logs without secrets (issue 8 item 5, ASVS V16): every line the portal's handler
writes is one JSON object; no password, single-use link token, API token, second-factor code or
file content reaches it, whichever logger writes (the portal's, Django's, gunicorn's)."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from portal.accounts import services as account_services
from portal.logs import gunicorn_logconfig, logging_config, redact

from .api_helpers import Api
from .factories import PASSWORD, UserFactory

SECRET_PASSWORD = "Geheim-Wachtwoord-8243"
API_TOKEN = "kp_" + "q7" * 20
FILE_CONTENT = b"%PDF-1.4\nINHOUD-VAN-HET-PASPOORT-5521\n%%EOF\n"


@pytest.fixture
def captured():
    """The portal's own console handler (JSON, redacting), writing to a buffer, on the root
    logger at DEBUG: everything any logger emits goes through it."""
    config = logging_config("json", "DEBUG")
    stream = io.StringIO()
    config["handlers"]["console"]["stream"] = stream
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logging.config.dictConfig(config)
    yield stream
    root.handlers[:], root.level = saved
    for handler in logging.getLogger().handlers:
        if getattr(handler, "stream", None) is stream:
            root.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    text = stream.getvalue().strip()
    assert text, "nothing was logged: the test would prove nothing"
    return [json.loads(line) for line in text.splitlines()]


def test_log_lines_are_json_with_the_fields_R_X_1(captured):
    logging.getLogger("portal.test").warning("hallo %s", "wereld", extra={"status": 403})
    (entry,) = lines(captured)
    assert entry["level"] == "WARNING" and entry["logger"] == "portal.test"
    assert entry["message"] == "hallo wereld" and entry["status"] == 403
    assert re.match(r"\d{4}-\d\d-\d\dT", entry["timestamp"])


def test_no_secret_reaches_the_log_through_the_flows_R_X_1(world, captured, mailoutbox, run):
    """Failed and good logins, an invitation link, a garbled link, a bad API token, a file
    upload, a password-reset request: the log holds none of their secrets."""
    owner = world.owner
    http = HttpClient()
    http.post("/inloggen/", {"username": owner.email, "password": SECRET_PASSWORD})
    http.post("/inloggen/", {"username": owner.email, "password": PASSWORD})
    upload = SimpleUploadedFile("paspoort.pdf", FILE_CONTENT, content_type="application/pdf")
    response = http.post(
        f"/dossiers/{world.person_dossier.pk}/berichten/bijlagen/", {"file": upload}
    )
    assert response.status_code == 201

    newcomer = UserFactory(email="nieuw@example.test", password=None)
    run(account_services.invite_user, user=newcomer)
    link = re.search(r"https?://\S+/welkom/(\S+?)/", mail.outbox[-1].body)
    token = link.group(1)
    HttpClient().get(f"/welkom/{token}/")
    HttpClient().get("/welkom/een-geraden-token-0001/")
    run(HttpClient().post, "/wachtwoord/instellen/", {"email": owner.email})
    assert Api(API_TOKEN).get("/api/v1/dossiers/").status_code == 401
    logging.getLogger("django.request").warning(
        "Forbidden: %s", "/wachtwoord/nieuw/ook-een-token-77/?code=123456"
    )

    text = captured.getvalue()
    entries = lines(captured)
    assert len(entries) >= 3
    for secret in (
        SECRET_PASSWORD,
        PASSWORD,
        token,
        "een-geraden-token-0001",
        "ook-een-token-77",
        "123456",
        API_TOKEN,
        "INHOUD-VAN-HET-PASPOORT",
    ):
        assert secret not in text, secret
    assert "Forbidden: /wachtwoord/nieuw/[redacted]/?code=[redacted]" in [
        e["message"] for e in entries
    ]
    assert "Unauthorized: /api/v1/dossiers/" in [e["message"] for e in entries]


def test_the_redaction_rules_R_X_1():
    assert redact("GET /welkom/abc.DEF-123/ HTTP/1.1") == "GET /welkom/[redacted]/ HTTP/1.1"
    assert redact("/wachtwoord/nieuw/xyz") == "/wachtwoord/nieuw/[redacted]"
    assert redact("Authorization: Bearer kp_abc, next") == "Authorization: Bearer [redacted], next"
    assert redact("?password=x&code=1234&page=2") == "?password=[redacted]&code=[redacted]&page=2"
    assert redact("/dossiers/12/documenten/") == "/dossiers/12/documenten/"


def test_gunicorns_access_log_goes_through_the_same_handler_R_X_1():
    """gunicorn -c python:portal.gunicorn_config: the access line of a link with a token."""
    config = gunicorn_logconfig()
    stream = io.StringIO()
    config["handlers"]["console"]["stream"] = stream
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    access = logging.getLogger("gunicorn.access")
    try:
        logging.config.dictConfig(config)
        access.info(
            '%(h)s "%(r)s" %(s)s',
            {"h": "127.0.0.1", "r": "GET /welkom/tok-9/ HTTP/1.1", "s": "200"},
        )
        (entry,) = lines(stream)
        assert entry["logger"] == "gunicorn.access"
        assert entry["message"] == '127.0.0.1 "GET /welkom/[redacted]/ HTTP/1.1" 200'
    finally:
        access.handlers.clear()
        access.propagate = True
        root.handlers[:], root.level = saved
