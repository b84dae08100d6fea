"""CSRF on every state change (issue 8, ASVS V3/V4): a POST without a CSRF token is refused on
every URL of the portal, for a visitor, a client and staff; GET never changes state."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import resolve

from portal.audit.models import AuditEntry
from portal.messaging.models import Message

from .test_routes import routes, sample_path

#: URL prefixes exempt by design: the API authenticates with a bearer token in a header, which
#: a cross-site form cannot send (no cookies, so no CSRF); tests/test_api_access.py proves it.
# The API (tokens, no cookies); the hosting site, a 404 on every office's host (its own
# login form is Django's admin login, CSRF-checked as every admin form).
EXEMPT: tuple[str, ...] = ("/api/", "/hosting/")


@pytest.mark.parametrize("role", ["anonymous", "owner", "staff"])
def test_every_post_without_a_csrf_token_is_refused_issue_8(world, role):
    """Every URL pattern, posted to without a token (the browser's cookie present, as in a
    cross-site request): refused, and nothing is written."""
    http = HttpClient(enforce_csrf_checks=True)
    user = {"anonymous": None, "owner": world.owner, "staff": world.staff}[role]
    if user is not None:
        http.force_login(user)
    http.get("/inloggen/")  # the CSRF cookie, as a visitor's browser would have it
    other_entries = AuditEntry.objects.exclude(action="request.denied")
    before = (Message.objects.count(), other_entries.count())
    tried = []
    refused = refused_without_office = 0
    refused_routes = set()
    for route, _pattern in routes():
        path = sample_path(route)
        if path is None or path.startswith(EXEMPT):
            continue
        response = http.post(path, {"subject": "x", "body": "y", "email": "a@b.test"})
        tried.append(path)
        # Refused by the CSRF check (403), or before it by the login check for a user who may
        # not be there at all (a redirect to a login page): never handled.
        to_login = response.status_code == 302 and response["Location"].startswith(
            ("/inloggen/", "/beheer/login/")
        )
        assert response.status_code == 403 or to_login, (path, response.status_code)
        if response.status_code == 403:
            refused += 1
            if path.startswith("/health/"):  # no office there: in the request log only
                refused_without_office += 1
            else:
                refused_routes.add(resolve(path).view_name)
    assert len(tried) > 40
    assert (Message.objects.count(), other_entries.count()) == before
    # Each refusal is in the audit trail as a denial (issue 8, item 5), with the address.
    denials = AuditEntry.objects.filter(action="request.denied")
    assert refused > 0
    assert set(denials.values_list("data__route", flat=True)) == refused_routes
    if user is not None:
        assert denials.count() == refused - refused_without_office
    else:  # a visitor: once per route and address a minute (a flood cannot fill the trail)
        assert denials.count() == len(refused_routes)
    assert set(denials.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    assert set(denials.values_list("data__status", flat=True)) == {403}
