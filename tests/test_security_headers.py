"""Browser-facing security settings (issue 8, ASVS V3): the headers on every kind of page, the
cookies, and Django's deployment checklist with the production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client as HttpClient

from .factories import DossierFactory, StaffFactory, UserFactory, grant
from .workspace_helpers import verify_second_factor

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def pages(db):
    owner = UserFactory(email="jan@example.test")
    dossier = DossierFactory()
    grant(dossier, owner.client)
    grant(DossierFactory(), owner.client)  # two dossiers: the list does not redirect
    staff = StaffFactory(email="staff@office.test", staff_role="administrator")
    return {
        None: ["/inloggen/", "/wachtwoord/instellen/", "/health/live/"],
        owner: ["/", "/dossiers/", f"/dossiers/{dossier.pk}/berichten/nieuw/", "/mijn-gegevens/"],
        staff: ["/beheer/", "/beheer/messaging/message/"],
    }


def test_every_page_carries_the_security_headers_issue_8(pages):
    """A Content-Security-Policy with a nonce and without 'unsafe-inline', frame-ancestors
    'none', X-Frame-Options DENY, nosniff, Referrer-Policy and HSTS of at least a year (on
    HTTPS) on public, client and staff pages."""
    tried = 0
    staff = list(pages)[-1]
    for user, urls in pages.items():
        http = HttpClient()
        if user is not None:
            http.force_login(user)
            if user.is_staff:
                verify_second_factor(http)
        for url in urls:
            response = http.get(url, secure=True)
            assert response.status_code == 200, url
            csp = response["Content-Security-Policy"]
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
            assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, url
            if response["Content-Type"].startswith("text/html") and user != staff:
                # The portal's pages use the nonce (the admin's have no inline code).
                assert "'nonce-" in csp, url
            assert response["X-Frame-Options"] == "DENY", url
            assert response["X-Content-Type-Options"] == "nosniff", url
            assert response["Referrer-Policy"] == "same-origin", url
            max_age = int(response["Strict-Transport-Security"].split("max-age=")[1].split(";")[0])
            assert max_age >= 31536000, url
            tried += 1
    assert tried == 9


def test_the_inline_style_carries_the_requests_nonce_issue_8(client, db):
    """The one inline <style> (the office's colours) has the nonce of its response's policy."""
    response = client.get("/inloggen/")
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_cookies_are_host_prefixed_secure_and_http_only_issue_8(client, db, settings):
    """Session and CSRF cookies: __Host- names, Secure, HttpOnly, SameSite=Lax."""
    assert settings.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert settings.CSRF_COOKIE_NAME == "__Host-csrftoken"
    response = client.get("/inloggen/", secure=True)
    cookie = response.cookies["__Host-csrftoken"]
    assert cookie["secure"] and cookie["httponly"] and cookie["path"] == "/"
    assert not cookie["domain"]
    assert cookie["samesite"] == "Lax"


def check_deploy(tmp_path, **extra: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy --fail-level WARNING` with the production settings as
    docs/deployment.md gives them, plus ``extra``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "DEBUG"))
    }
    env.update(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "portaal.example.nl",
            "CSRF_TRUSTED_ORIGINS": "https://portaal.example.nl",
            "BEHIND_TLS_PROXY": "1",
            "VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        }
    )
    env.pop("CLAMAV_URL", None)
    env.pop("CLAMAV_DISABLED", None)
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_production_settings_issue_8(tmp_path):
    """Django's deployment checklist (`check --deploy --fail-level WARNING`) passes with the
    production settings as docs/deployment.md gives them (a ClamAV daemon included)."""
    result = check_deploy(tmp_path, CLAMAV_URL="tcp://clamd:3310")
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_uploads_are_not_scanned_issue_14_item_13(tmp_path):
    """R-X-3, issue 14 item 13: in production an empty CLAMAV_URL (no virus scan) is a
    deployment warning, portal.W013, that names the way out."""
    result = check_deploy(tmp_path)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "portal.W013" in output and "CLAMAV_URL" in output and "CLAMAV_DISABLED" in output


def test_check_deploy_accepts_scanning_elsewhere_on_purpose_issue_14_item_13(tmp_path):
    """R-X-3, issue 14 item 13: CLAMAV_DISABLED=1 (files are scanned elsewhere) silences the
    warning; together with a CLAMAV_URL it is a configuration error, not a guess."""
    result = check_deploy(tmp_path, CLAMAV_DISABLED="1")
    assert result.returncode == 0, result.stdout + result.stderr
    both = check_deploy(tmp_path, CLAMAV_DISABLED="1", CLAMAV_URL="tcp://clamd:3310")
    assert both.returncode != 0
    assert "not both" in both.stderr


def test_no_scanner_warning_in_the_embedded_mode_issue_14_item_13(settings):
    """Issue 14 item 13: `make run` (DEBUG) has no scanner and needs no warning about it."""
    from portal.documents.checks import W_NO_SCANNER, scanner_configured

    settings.CLAMAV_URL = ""
    settings.CLAMAV_DISABLED = False
    settings.DEBUG = True
    assert scanner_configured() == []
    settings.DEBUG = False
    assert scanner_configured() == [W_NO_SCANNER]
    settings.CLAMAV_DISABLED = True
    assert scanner_configured() == []


def test_every_response_carries_permissions_and_cross_origin_policies_issue_14_item_16(
    pages, settings
):
    """Issue 14 item 16 (ASVS V3.4): ``Permissions-Policy`` switches off the browser features
    no page uses (camera, microphone, geolocation, payment, USB, …) but leaves WebAuthn
    (passkeys) alone; ``Cross-Origin-Opener-Policy`` and ``Cross-Origin-Resource-Policy`` are
    ``same-origin`` — on pages, redirects, static files (WhiteNoise), error pages (404, CSRF
    403, 405), the API's 401 and the health probe."""
    owner = list(pages)[1]
    anonymous = HttpClient(enforce_csrf_checks=True)
    signed_in = HttpClient()
    signed_in.force_login(owner)
    answers = {
        "login page": anonymous.get("/inloggen/"),
        "redirect to the login": anonymous.get("/dossiers/"),
        "static file": anonymous.get("/static/portal/portal.css"),
        "404 page": signed_in.get("/dossiers/999999/"),
        "CSRF refusal": anonymous.post("/inloggen/", {"username": "x", "password": "y"}),
        "405": signed_in.get("/sessie/verlengen/"),
        "API without a token": anonymous.get("/api/v1/clients/"),
        "health probe": anonymous.get("/health/live/"),
        "client page": signed_in.get("/dossiers/"),
    }
    assert answers["static file"].status_code == 200
    assert answers["404 page"].status_code == 404
    assert answers["CSRF refusal"].status_code == 403
    assert answers["redirect to the login"].status_code == 302
    assert answers["405"].status_code == 405
    for what, response in answers.items():
        policy = response.get("Permissions-Policy", "")
        features = dict(item.strip().split("=", 1) for item in policy.split(",") if item)
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features.get(feature) == "()", (what, feature, policy)
        assert not any(name.startswith("publickey-credentials") for name in features), what
        assert response.get("Cross-Origin-Opener-Policy") == "same-origin", what
        assert response.get("Cross-Origin-Resource-Policy") == "same-origin", what
