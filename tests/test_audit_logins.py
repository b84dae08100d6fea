"""Logins in the audit trail (issue 8, ASVS V16, R-X-1): success, failure and logout, with who
and from where; the password typed is never stored."""

from __future__ import annotations

import json

from django.test import Client as HttpClient

from portal.audit.models import AuditEntry

from .factories import PASSWORD, UserFactory


def test_logins_and_failures_are_recorded_without_the_password_R_X_1(db):
    user = UserFactory(email="jan@example.test")
    http = HttpClient(REMOTE_ADDR="203.0.113.7")
    http.post("/inloggen/", {"username": "Jan@Example.test", "password": "verkeerd-Wachtwoord9"})
    failed = AuditEntry.objects.get(action="login.failed")
    assert failed.target == "jan@example.test" and failed.ip_address == "203.0.113.7"
    assert failed.actor is None
    assert "verkeerd" not in json.dumps(failed.data) + failed.target

    http.post("/inloggen/", {"username": user.email, "password": PASSWORD})
    ok = AuditEntry.objects.get(action="login.succeeded")
    assert ok.actor == user and ok.ip_address == "203.0.113.7"

    http.post("/uitloggen/")
    assert AuditEntry.objects.get(action="logout").actor == user
    assert PASSWORD not in json.dumps(list(AuditEntry.objects.values("data", "target")))


def test_the_forbidden_page_is_branded_and_says_what_to_do_R_X_1(db):
    """A refused form (CSRF) gets the portal's own 403 page, in Dutch, without details."""
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post("/inloggen/", {"username": "a@b.test", "password": "x"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "Geen toegang" in page and "Terug naar Home" in page
    assert "CSRF" not in page
