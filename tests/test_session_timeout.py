"""Session lifetimes (issue 8, ASVS V7): the idle timeout (30 minutes by default) and the
absolute one (8 hours) end a session on its next request, with a message and an audit entry;
"Ingelogd blijven" counts as activity; the page carries the warning's timing."""

from __future__ import annotations

import time

import pytest
from django.test import Client as HttpClient

from portal.accounts.session_timeout import SEEN, SEEN_RESOLUTION, STARTED
from portal.audit.models import AuditEntry

from .factories import DossierFactory, UserFactory, grant


@pytest.fixture
def http(db):
    user = UserFactory(email="jan@example.test")
    grant(DossierFactory(), user.client)
    grant(DossierFactory(), user.client)
    http = HttpClient()
    http.force_login(user)
    return http


def shift(http, **seconds_ago):
    """Move the session's clock back: ``seen=`` and/or ``started=`` seconds ago."""
    session = http.session
    now = int(time.time())
    if "seen" in seconds_ago:
        session[SEEN] = now - seconds_ago["seen"]
    if "started" in seconds_ago:
        session[STARTED] = now - seconds_ago["started"]
    session.save()


def test_idle_for_longer_than_the_timeout_logs_out_issue_8(http, settings):
    """31 minutes without a request: the next one is sent to the login page, the session
    is gone, the reason is shown and recorded."""
    settings.SESSION_IDLE_MINUTES = 30
    assert http.get("/dossiers/").status_code == 200
    shift(http, seen=31 * 60)
    response = http.get("/dossiers/")
    assert response.status_code == 302
    assert response["Location"] == "/inloggen/?next=%2Fdossiers%2F"
    assert "_auth_user_id" not in http.session
    page = http.get(response["Location"]).content.decode()
    assert "zonder activiteit" in page
    assert AuditEntry.objects.filter(action="session.expired", data__reason="idle").exists()


def test_activity_within_the_timeout_keeps_the_session_issue_8(http, settings):
    """29 minutes idle is still fine, and that request counts as activity."""
    settings.SESSION_IDLE_MINUTES = 30
    shift(http, seen=29 * 60)
    assert http.get("/dossiers/").status_code == 200
    assert int(time.time()) - http.session[SEEN] <= 1


def test_the_absolute_timeout_ends_even_an_active_session_issue_8(http, settings):
    """Active all along, but logged in 8 hours and a minute ago: logged out."""
    settings.SESSION_ABSOLUTE_HOURS = 8
    shift(http, seen=10, started=8 * 3600 + 60)
    response = http.get("/dossiers/")
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")
    assert AuditEntry.objects.filter(action="session.expired", data__reason="absolute").exists()


def test_stay_logged_in_counts_as_activity_issue_8(http, settings):
    """The warning's "Ingelogd blijven" (POST) restarts the idle clock."""
    settings.SESSION_IDLE_MINUTES = 30
    shift(http, seen=28 * 60)
    assert http.post("/sessie/verlengen/").status_code == 204
    shift_free = http.session[SEEN]
    assert int(time.time()) - shift_free <= 1
    assert http.get("/sessie/verlengen/").status_code == 405  # GET changes nothing


def test_requests_do_not_write_the_session_each_time_issue_8(http):
    """The last activity is stored again only when it is older than SEEN_RESOLUTION seconds:
    a page view right after another writes nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    http.get("/dossiers/")
    with CaptureQueriesContext(connection) as captured:
        http.get("/dossiers/")
    assert not [q for q in captured.captured_queries if "django_session" in q["sql"] and
                q["sql"].lstrip().upper().startswith("UPDATE")]  # fmt: skip
    assert SEEN_RESOLUTION >= 60


def test_the_page_carries_the_warning_timing_issue_8(http, settings):
    """Every page of a logged-in user has the countdown's numbers and the dialog; a visitor's
    has neither."""
    settings.SESSION_IDLE_MINUTES = 30
    settings.SESSION_WARNING_SECONDS = 120
    page = http.get("/dossiers/").content.decode()
    assert 'data-session-idle="1800"' in page and 'data-session-warning="120"' in page
    assert 'id="session-warning"' in page and "Ingelogd blijven" in page
    visitor = HttpClient().get("/inloggen/").content.decode()
    assert "data-session-idle" not in visitor


def test_a_second_factor_change_ends_the_other_sessions(db):
    """Issue 8 (ASVS V7): turning two-step verification on (or off) ends the user's other
    sessions (a stolen session does not survive it); the session that made the change stays."""
    from django.test import RequestFactory

    from portal.twofactor import services as twofactor

    user = UserFactory(email="jan@example.test")
    here, elsewhere = HttpClient(), HttpClient()
    here.force_login(user)
    elsewhere.force_login(user)
    grant(DossierFactory(), user.client)
    assert elsewhere.get("/dossiers/", follow=True).status_code == 200

    request = RequestFactory().post("/")
    request.user = user
    request.session = here.session
    device = twofactor.start_totp_setup(user=user)
    from django_otp.oath import totp

    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    check, _codes = twofactor.confirm_totp_setup(
        user=user, device=device, code=code, keep_session=request.session.session_key
    )
    assert check.method == "totp"
    assert elsewhere.get("/dossiers/").status_code == 302  # logged out
    assert here.get("/dossiers/", follow=True).status_code == 200

    twofactor.disable(user=user, by=user, keep_session=request.session.session_key)
    assert here.get("/dossiers/", follow=True).status_code == 200
