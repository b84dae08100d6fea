"""Who may read the API's schema and docs (R-OFF-6, issue 14 item 17): a token or a staff
session with the second factor; ``API_DOCS_PUBLIC`` opens them."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from .api_helpers import Api, make_token
from .factories import StaffFactory, UserFactory
from .workspace_helpers import staff_http

pytestmark = pytest.mark.django_db

SCHEMA = "/api/schema/?format=json"
DOCS = "/api/docs/"


def test_anonymous_visitors_get_neither_schema_nor_docs_issue_14_item_17():
    """R-OFF-6, issue 14 item 17: without a token or session the schema is a 401 (with the
    Bearer challenge) that shows nothing of it; the docs page sends a browser to the login;
    the docs' script is refused as well."""
    http = HttpClient()
    schema = http.get(SCHEMA)
    assert schema.status_code == 401
    assert schema["WWW-Authenticate"] == "Bearer"
    assert b"/api/v1/" not in schema.content
    docs = http.get(DOCS)
    assert docs.status_code == 302
    assert docs["Location"] == "/inloggen/?next=/api/docs/"
    script = http.get(DOCS + "?script=")
    assert script.status_code == 302
    assert b"schema_url" not in script.content


def test_clients_and_unverified_staff_get_403_issue_14_item_17(world):
    """R-OFF-6, issue 14 item 17: a client's session, and a staff session that did not pass
    the second factor, are refused (403); a wrong token is a 401 even with a staff session."""
    client_http = HttpClient()
    client_http.force_login(world.owner)
    unverified = staff_http(world.staff, verified=False)
    for http in (client_http, unverified):
        assert http.get(SCHEMA).status_code == 403
        assert http.get(DOCS).status_code == 403
    verified = staff_http(StaffFactory(email="ontwikkelaar@office.test"))
    wrong = verified.get(SCHEMA, headers={"Authorization": "Bearer kp_00000000_" + "x" * 43})
    assert wrong.status_code == 401


def test_a_token_or_a_staff_session_reads_schema_and_docs_issue_14_item_17():
    """R-OFF-6, issue 14 item 17: an API token, and a staff session with the second factor,
    get the schema and the docs page (200)."""
    staff = StaffFactory(email="koppeling@office.test")
    _token, raw = make_token(staff)
    for http in (Api(raw), staff_http(staff)):
        schema = http.get(SCHEMA)
        assert schema.status_code == 200
        assert schema.json()["openapi"].startswith("3.")
        assert "/api/v1/dossiers/" in schema.json()["paths"]
        docs = http.get(DOCS)
        assert docs.status_code == 200
        assert b"swagger-ui" in docs.content
        assert http.get(DOCS + "?script=").status_code == 200


def test_api_docs_public_opens_them_to_anyone_issue_14_item_17(settings):
    """R-OFF-6, issue 14 item 17: API_DOCS_PUBLIC=1 makes schema and docs public again, for
    anonymous visitors and client sessions alike."""
    settings.API_DOCS_PUBLIC = True
    signed_in = HttpClient()
    signed_in.force_login(UserFactory(email="klant@example.test"))
    for http in (HttpClient(), signed_in):
        assert http.get(SCHEMA).status_code == 200
        assert http.get(DOCS).status_code == 200
