"""API access (R-OFF-6): every endpoint of the schema refuses a missing, malformed, unknown,
revoked token and a token bound to another office with 401 — 0 leaks."""

from __future__ import annotations

import pytest

from portal.core import tenancy
from portal.offices.models import Office

from .api_helpers import Api, make_token
from .factories import AdministratorFactory, StaffFactory
from .workspace_helpers import staff_http


def _operations(raw: str) -> list[tuple[str, str]]:
    schema = Api(raw).get("/api/schema/", {"format": "json"}).json()
    operations = []
    for path, item in schema["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                url = path.replace("{id}", "1").replace("{client_id}", "1")
                url = url.replace("{position}", "1")
                operations.append((method, url))
    return operations


@pytest.mark.django_db
def test_every_endpoint_refuses_without_a_valid_token_R_OFF_6(world, capsys, settings):
    """R-OFF-6: no token, a bad token, a revoked token, another office's token → 401."""
    # Hundreds of calls without a valid token from one address: the rate limit per address
    # (test_rate_limits.py) would answer 429 long before this matrix is through.
    settings.API_RATE_PER_ADDRESS = "100000/m"
    staff = StaffFactory(email="koppeling@office.test")
    revoked, revoked_raw = make_token(staff, name="Oud")
    revoked.revoke()
    other_office = Office.objects.create(name="Ander kantoor")
    assert Office.current() != other_office
    with tenancy.office_scope(other_office):
        _foreign, foreign_raw = make_token(staff, name="Vreemd", office=other_office)
    _valid, valid_raw = make_token(staff)
    callers = {
        "no token": Api(None),
        "not bearer": Api(None),
        "unknown": Api("kp_00000000_" + "x" * 43),
        "malformed": Api("nonsense"),
        "revoked": Api(revoked_raw),
        "other office": Api(foreign_raw),
        "valid secret, wrong prefix": Api("kp_ffffffff_" + valid_raw.split("_", 2)[2]),
    }
    operations = _operations(valid_raw)
    assert len(operations) >= 20
    leaks = []
    for role, api in callers.items():
        headers = {"Authorization": f"Token {valid_raw}"} if role == "not bearer" else None
        for method, url in operations:
            response = getattr(api, method)(
                url, **({"data": {}} if method in ("put", "patch") else {}), headers=headers
            )
            if response.status_code != 401:
                leaks.append((role, method, url, response.status_code))
            else:
                assert response["WWW-Authenticate"] == "Bearer"
    with capsys.disabled():
        print(
            f"\napi access matrix: {len(callers) * len(operations)} combinations,"
            f" {len(leaks)} leaks ({len(operations)} operations × {len(callers)} callers)"
        )
    assert leaks == []
    # The valid token does get in.
    assert Api(valid_raw).get("/api/v1/dossiers/").status_code == 200


@pytest.mark.django_db
def test_token_of_an_inactive_staff_member_is_refused_R_OFF_6():
    staff = StaffFactory(email="weg@office.test")
    _token, raw = make_token(staff)
    staff.is_active = False
    staff.save()
    assert Api(raw).get("/api/v1/clients/").status_code == 401


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_cdn_R_OFF_6():
    """R-OFF-6: the OpenAPI 3 schema and the Swagger UI from the sidecar (no CDN), to a staff
    member signed in with the second factor (issue 14 item 17)."""
    http = staff_http(StaffFactory(email="ontwikkelaar@office.test"))
    schema = http.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "bearerAuth" in schema.json()["components"]["securitySchemes"]
    docs = http.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
    assert b"swagger-ui" in docs.content


#: The operations added for integrators (R-OFF-6); the matrices above and below build from the
#: schema, and this list makes sure they are in it.
ADDED_OPERATIONS = {
    ("get", "/api/v1/staff/"),
    ("get", "/api/v1/staff/1/"),
    ("get", "/api/v1/webhook-endpoints/"),
    ("post", "/api/v1/webhook-endpoints/"),
    ("get", "/api/v1/webhook-endpoints/1/"),
    ("patch", "/api/v1/webhook-endpoints/1/"),
    ("post", "/api/v1/webhook-endpoints/1/rotate-secret/"),
    ("patch", "/api/v1/clients/1/"),
    ("post", "/api/v1/clients/1/deactivate/"),
    ("post", "/api/v1/clients/1/reactivate/"),
    ("post", "/api/v1/clients/1/erase/"),
    ("patch", "/api/v1/dossiers/1/steps/1/"),
    ("post", "/api/v1/documents/1/withdraw/"),
    ("post", "/api/v1/questionnaires/1/cancel/"),
    ("post", "/api/v1/upload-requests/1/cancel/"),
    # R-SIG-4
    ("get", "/api/v1/approval-requests/"),
    ("post", "/api/v1/approval-requests/"),
    ("get", "/api/v1/approval-requests/1/"),
    ("post", "/api/v1/approval-requests/1/cancel/"),
    ("post", "/api/v1/dossiers/1/messages/"),
    ("get", "/api/v1/changes/"),
}


@pytest.mark.django_db
def test_configuration_needs_a_configuring_administrators_token_R_OFF_6(world, capsys):
    """R-OFF-6: every configuration operation of the schema (the webhook endpoints) answers 403
    to a daily-work token — of a handler or of an administrator — and to a configuring token
    acting as a handler; a configuring administrator's token gets through. 0 leaks."""
    from portal.integrations.models import WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(office=Office.current(), url="https://x.test/h")
    handler = StaffFactory(email="koppeling@office.test")
    administrator = AdministratorFactory(email="beheer@office.test")
    callers = {
        "handler": make_token(handler, name="a")[1],
        "administrator": make_token(administrator, name="b")[1],
        "handler, may configure": make_token(handler, name="c", may_configure=True)[1],
    }
    configuring = make_token(administrator, name="d", may_configure=True)[1]
    operations = _operations(configuring)
    assert set(operations) >= ADDED_OPERATIONS
    configuration = [
        (method, url.replace("/1/", f"/{endpoint.pk}/"))
        for method, url in operations
        if url.startswith("/api/v1/webhook-endpoints/")
    ]
    assert len(configuration) == 5
    leaks = []
    for caller, raw in callers.items():
        for method, url in configuration:
            response = getattr(Api(raw), method)(
                url, **({"data": {}} if method in ("put", "patch") else {})
            )
            if response.status_code != 403:
                leaks.append((caller, method, url, response.status_code))
    with capsys.disabled():
        print(
            f"\napi configuration matrix: {len(callers) * len(configuration)} combinations,"
            f" {len(leaks)} leaks"
        )
    assert leaks == []
    assert WebhookEndpoint.objects.get().secret == endpoint.secret
    for method, url in configuration:
        response = getattr(Api(configuring), method)(
            url, **({"data": {}} if method in ("put", "patch") else {})
        )
        assert response.status_code < 300 or response.status_code == 400, (method, url)
