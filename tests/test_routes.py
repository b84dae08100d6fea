"""Route inventory (issue 8, ASVS V8): every URL pattern of the portal requires a login, except
the ones on the explicit allow-list below. A new public URL fails this test until it is added
here on purpose; every other URL, tried without a session, is sent to the login page."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

#: The URLs a visitor may open without logging in, by route, and why.
PUBLIC = {
    "inloggen/": "the login page",
    "inloggen/code/": "the second login step (only with a pending login in the session)",
    "inloggen/code/sms/": "a new SMS code for the pending login",
    "welkom/": "invitation: enter your e-mail address",
    "welkom/<str:token>/": "invitation link",
    "wachtwoord/instellen/": "forgotten password",
    "wachtwoord/nieuw/": "set a password (secret in the session)",
    "wachtwoord/nieuw/<str:token>/": "set-password link",
    "inloggen/link/<str:token>/": "login link of an account under attack (issue 14 item 11)",
    "inloggen/link/": "login link opened (secret in the session): on to the login page",
    "taal/": "language switch for visitors",
    "kantoor/logo/": "the office logo on the login page",
    "beheer/login/": "the admin's login page",
    "health/live/": "liveness probe",
    "health/ready/": "readiness probe",
    "dev/outbox/": "development outbox (404 unless DEBUG)",
    "dev/outbox/<str:name>/": "development outbox message (404 unless DEBUG)",
}
#: Whole subtrees outside the session login, and why.
PUBLIC_PREFIXES = {
    # API tokens, not sessions; tests/test_api_access.py proves every endpoint answers 401
    # without a valid token. The schema and its docs page carry no office data.
    "api/": "the REST API (token authentication)",
}


def routes() -> list[tuple[str, URLPattern]]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern

    return list(walk(get_resolver().url_patterns))


def is_public(pattern: URLPattern) -> bool:
    # Django's LoginRequiredMiddleware lets through views marked with login_not_required.
    return getattr(pattern.callback, "login_required", True) is False


def test_only_the_allow_list_is_public_R_ACC_4():
    """Every URL pattern requires a login unless it is on the allow-list (and every entry of
    the allow-list exists)."""
    public = {
        route
        for route, pattern in routes()
        if is_public(pattern) and not route.startswith(tuple(PUBLIC_PREFIXES))
    }
    assert public == set(PUBLIC)


def sample_path(route: str) -> str | None:
    """A concrete path for a route (converters filled in), or None for regex routes."""
    if route.startswith("^") or "(?P" in route:
        return None
    values = {"int": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000000",
              "path": "x"}  # fmt: skip
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: values[m.group(1) or "str"], route)


@pytest.mark.django_db
def test_every_other_url_sends_a_visitor_to_the_login_R_ACC_4(client):
    """Tried without a session, every non-public URL (GET) redirects to a login page and shows
    nothing; the admin's own URLs to the admin login."""
    tried = 0
    for route, pattern in routes():
        path = sample_path(route)
        if path is None or is_public(pattern) or route.startswith(tuple(PUBLIC_PREFIXES)):
            continue
        response = client.get(path)
        tried += 1
        assert response.status_code == 302, (path, response.status_code)
        assert response["Location"].startswith(("/inloggen/", "/beheer/login/")), path
    assert tried > 40
