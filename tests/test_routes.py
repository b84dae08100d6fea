"""Route inventory (issue 8, ASVS V8): every URL pattern of the portal requires a login, except
the ones on the explicit allow-list below. A new public URL fails this test until it is added
here on purpose; every other URL, tried without a session, is sent to the login page."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

#: The URLs a visitor may open without logging in, by route, and why.
PUBLIC = {
    "inloggen/": "the login page",
    "inloggen/code/": "the second login step (only with a pending login in the session)",
    "inloggen/code/sms/": "a new SMS code for the pending login",
    "inloggen/code/passkey/": "the second login step with a passkey (pending login only)",
    "inloggen/passkey/": "logging in with a passkey, without a password (issue 15 item 1)",
    "inloggen/passkey/opties/": "the challenge for logging in with a passkey (POST only)",
    "welkom/": "invitation: enter your e-mail address",
    "welkom/<str:token>/": "invitation link",
    "wachtwoord/instellen/": "forgotten password",
    "wachtwoord/nieuw/": "set a password (secret in the session)",
    "wachtwoord/nieuw/<str:token>/": "set-password link",
    "inloggen/link/<str:token>/": "login link of an account under attack (issue 14 item 11)",
    "inloggen/link/": "login link opened (secret in the session): on to the login page",
    "taal/": "language switch for visitors",
    "kantoor/logo/": "the office logo on the login page",
    "toegankelijkheid/": "the accessibility statement (R-X-6, issue 15 item 5)",
    "controleren/": "the verify page for documents (R-SIG-2): rate-limited, nothing stored",
    "beheer/login/": "the admin's login page",
    "health/live/": "liveness probe",
    "health/ready/": "readiness probe",
    "dev/outbox/": "development outbox (404 unless DEBUG)",
    "dev/outbox/<str:name>/": "development outbox message (404 unless DEBUG)",
}
#: Whole subtrees outside the session login, and why.
PUBLIC_PREFIXES = {
    # API tokens, not sessions; tests/test_api_access.py proves every endpoint answers 401
    # without a valid token. The schema and its docs page need a token or a staff session
    # (tests/test_api_docs_access.py).
    "api/": "the REST API (token authentication)",
    # Only on HOSTING_HOSTS (a 404 on every office's host), with its own login: password and
    # authenticator code (tests/test_hosting_site.py).
    "hosting/": "the hosting administrators' site",
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


def _world_values(world) -> dict[str, str]:
    """Route arguments that name the world's real objects, so that the walk reaches real pages
    (and not only 404s)."""
    dossier = world.person_dossier
    message = dossier.messages.first()
    document = dossier.documents.first()
    return {
        "pk": str(dossier.pk),
        "msg_id": str(message.pk),
        "doc_id": str(document.pk),
        "tab": "berichten",
    }


def filled_path(route: str, values: dict[str, str]) -> str | None:
    path = sample_path(route)
    if path is None:
        return None
    return "/" + re.sub(
        r"<(?:(\w+):)?(\w+)>",
        lambda m: values.get(m.group(2)) or sample_path(m.group(0))[1:],
        route,
    )


@pytest.mark.django_db
def test_every_answer_to_a_signed_in_user_is_no_store_issue_14_item_12(world):
    """Issue 14 item 12 (ASVS V14.3): walking EVERY route of the URL resolver (GET, each route with
    sample arguments and with the arguments of real objects) as a signed-in client and as
    staff with the second factor: every answer — pages, redirects, 404s, 403s, 405s, 500s, the API
    without a token — carries ``Cache-Control: no-store``, so that after the logout the back
    button of a shared computer shows nothing. Only a response that declared itself public
    (the office logo) may be cached."""
    from .factories import StaffFactory
    from .workspace_helpers import verify_second_factor

    admin = StaffFactory(email="beheer@office.test", staff_role="administrator")
    values = _world_values(world)
    statuses: set[int] = set()
    tried = 0
    for user in (world.owner, admin):
        # A view that fails (500) must not be cached either: its answer is checked too.
        http = HttpClient(raise_request_exception=False)
        http.force_login(user)
        if user.is_staff:
            verify_second_factor(http)
        for route, _pattern in routes():
            for path in {sample_path(route), filled_path(route, values)} - {None}:
                response = http.get(path)
                tried += 1
                statuses.add(response.status_code)
                cache_control = response.get("Cache-Control", "")
                if "public" in cache_control:
                    assert route == "kantoor/logo/", path
                    continue
                assert "no-store" in cache_control, (user.email, path, response.status_code)
                assert "_auth_user_id" in http.session, f"{path} logged {user.email} out"
    assert tried > 150
    assert {200, 302, 404} <= statuses


@pytest.mark.django_db
def test_api_answers_to_a_token_are_no_store_and_public_files_stay_cacheable_issue_14_item_12(
    world,
):
    """Issue 14 item 12: the API's answers to a token (client data) are no-store as well;
    static files stay cacheable for a signed-in browser (WhiteNoise answers them)."""
    from .api_helpers import Api, make_token

    _token, raw = make_token(world.staff)
    response = Api(raw).get("/api/v1/dossiers/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    http = HttpClient()
    http.force_login(world.owner)
    static = http.get("/static/portal/portal.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
