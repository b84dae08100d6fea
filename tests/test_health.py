"""Health endpoints (issue 8, deployment): liveness without the database, readiness with the
database, storage, broker and scanner; outside the login, no office data."""

from __future__ import annotations

import socket

import pytest
from django.db import connection
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


def test_readiness_checks_database_storage_broker_and_scanner_issue_8(client, db):
    """/health/ready/ is 200 when every part answers, and names the parts it checked."""
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok", "broker": "ok", "scanner": "ok"},
    }


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
