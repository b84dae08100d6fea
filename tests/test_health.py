"""Health endpoints (issue 8, deployment): liveness without the database, readiness with the
database, storage, broker and scanner; outside the login, no office data."""

from __future__ import annotations

import socket

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from portal.health import views


def test_liveness_needs_no_database_issue_8(client, db):
    """/health/live/ answers without a single query (a database outage must not make the
    orchestrator restart the app servers) and without a login."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(captured.captured_queries) == 0
    assert "no-cache" in response["Cache-Control"]


def test_readiness_checks_database_storage_broker_and_scanner_issue_8(client, db, monkeypatch):
    """/health/ready/ is 200 when every part answers, and names the parts it checked."""
    monkeypatch.setattr(views.scanning, "ping", lambda: True)  # a clamd that answers PONG
    with override_settings(CLAMAV_URL="tcp://clamd.invalid:3310"):
        response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok", "broker": "ok", "scanner": "ok"},
    }


def test_readiness_says_the_scanner_is_not_configured_issue_14_item_13(client, db, settings):
    """R-X-3, issue 14 item 13: without CLAMAV_URL uploads are not scanned, and readiness says
    so — "not configured", never "ok" — without failing (the server can work; `check --deploy`
    is where it is a warning)."""
    settings.CLAMAV_URL = ""
    settings.CLAMAV_DISABLED = False
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "storage": "ok",
            "broker": "ok",
            "scanner": "not configured",
        },
    }


def test_readiness_says_the_scanner_is_disabled_on_purpose_issue_14_item_13(client, db, settings):
    """R-X-3, issue 14 item 13: with CLAMAV_DISABLED=1 (files are scanned elsewhere) the
    scanner is reported "disabled", and the server is ready."""
    settings.CLAMAV_URL = ""
    settings.CLAMAV_DISABLED = True
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json()["checks"]["scanner"] == "disabled"
    assert response.json()["status"] == "ok"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_readiness_fails_when_the_broker_or_scanner_is_down_issue_8(client, db, settings):
    """A broker or scanner that does not answer makes the server not ready (503), naming the
    part without leaking its address."""
    port = _closed_port()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CLAMAV_URL = f"tcp://127.0.0.1:{port}"
    from portal.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    try:
        response = client.get("/health/ready/")
    finally:
        app.conf.broker_url = previous
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"] == "failing" and body["checks"]["scanner"] == "failing"
    assert body["checks"]["database"] == "ok"
    assert str(port) not in response.content.decode()


def test_readiness_fails_when_the_database_fails_issue_8(client, db, monkeypatch):
    """A database that does not answer → 503 "database": "failing"."""

    def broken():
        raise ConnectionError("database down")

    monkeypatch.setitem(views.CHECKS, "database", broken)
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failing"


@pytest.mark.parametrize("url", ["/health/live/", "/health/ready/"])
def test_health_endpoints_refuse_writes_issue_8(client, db, url):
    """GET only."""
    assert client.post(url).status_code == 405
