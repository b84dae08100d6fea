"""The API's operations beyond the first set (R-OFF-6): the staff list, the webhook endpoints
(configuration, for a token issued to configure by an office administrator), and the daily
work the workspace does (clients, steps, documents, questionnaires and upload requests).
Each goes through the domain services, so the audit trail follows."""

from __future__ import annotations

import pytest

from portal.audit.models import AuditEntry
from portal.integrations.models import WebhookEndpoint
from portal.offices.models import Office

from .api_helpers import Api, make_token
from .factories import AdministratorFactory, StaffFactory

V1 = "/api/v1"


def configuring_token(user, **kwargs):
    return make_token(user, may_configure=True, **kwargs)


@pytest.fixture
def staff(db):
    return StaffFactory(email="koppeling@office.test", full_name="Koppeling")


@pytest.fixture
def api(staff):
    return Api(make_token(staff)[1])


@pytest.fixture
def administrator(db):
    return AdministratorFactory(email="beheer@office.test", full_name="Beheer")


@pytest.fixture
def config_api(administrator):
    return Api(configuring_token(administrator, name="Configuratie")[1])


def test_staff_list_gives_the_handler_ids_R_OFF_6(api, staff, administrator, world):
    """R-OFF-6 / R-DOS-1: GET /staff/ lists the active staff members (ids a dossier's handler
    takes), never a client's account or a blocked staff member."""
    StaffFactory(email="weg@office.test", is_active=False)
    response = api.get(f"{V1}/staff/")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert {row["email"] for row in rows} == {
        "koppeling@office.test",
        "beheer@office.test",
        world.staff.email,
    }
    assert set(rows[0]) == {"id", "full_name", "email", "role"}
    assert {row["role"] for row in rows} == {"handler", "administrator"}
    handler_id = next(row["id"] for row in rows if row["email"] == "koppeling@office.test")
    dossier = world.person_dossier
    changed = api.patch(f"{V1}/dossiers/{dossier.pk}/", {"handler": handler_id})
    assert changed.status_code == 200
    assert changed.json()["handler"] == handler_id


def test_webhook_endpoints_are_managed_by_a_configuring_token_R_OFF_6(config_api, administrator):
    """R-OFF-6: list, add (the secret in that answer only), change events and URL, deactivate
    and rotate the secret, each audited with the administrator's token as actor."""
    created = config_api.post(
        f"{V1}/webhook-endpoints/",
        {"url": "https://dms.example.test/hook", "events": ["message.sent", "message.sent"]},
        headers={"Idempotency-Key": "hook-1"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert body["secret"] == endpoint.secret
    assert body["events"] == ["message.sent"]
    assert body["active"] is True
    replay = config_api.post(
        f"{V1}/webhook-endpoints/",
        {"url": "https://dms.example.test/hook", "events": ["message.sent", "message.sent"]},
        headers={"Idempotency-Key": "hook-1"},
    )
    assert replay.status_code == 201
    assert WebhookEndpoint.objects.count() == 1
    assert AuditEntry.objects.get(action="api.webhook_created").actor == administrator

    listed = config_api.get(f"{V1}/webhook-endpoints/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [endpoint.pk]
    assert "secret" not in listed.json()["results"][0]
    assert "secret" not in config_api.get(f"{V1}/webhook-endpoints/{endpoint.pk}/").json()

    changed = config_api.patch(
        f"{V1}/webhook-endpoints/{endpoint.pk}/",
        {"url": "https://dms.example.test/hook2", "events": []},
    )
    assert changed.status_code == 200, changed.content
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events) == ("https://dms.example.test/hook2", [])
    entry = AuditEntry.objects.get(action="api.webhook_changed")
    assert entry.data["fields"] == ["events", "url"]

    off = config_api.patch(f"{V1}/webhook-endpoints/{endpoint.pk}/", {"active": False})
    assert off.json()["active"] is False
    endpoint.refresh_from_db()
    assert endpoint.active is False

    old_secret = endpoint.secret
    rotated = config_api.post(f"{V1}/webhook-endpoints/{endpoint.pk}/rotate-secret/")
    assert rotated.status_code == 200, rotated.content
    endpoint.refresh_from_db()
    assert rotated.json()["secret"] == endpoint.secret != old_secret
    assert endpoint.previous_secret == old_secret
    assert AuditEntry.objects.filter(action="api.webhook_secret_rotated").count() == 1

    refused = config_api.post(f"{V1}/webhook-endpoints/", {"url": "ftp://dms.example.test/"})
    assert refused.status_code == 400
    unknown = config_api.post(
        f"{V1}/webhook-endpoints/", {"url": "https://x.test/", "events": ["nope"]}
    )
    assert unknown.status_code == 400


def test_webhook_endpoints_refuse_a_daily_work_token_R_OFF_6(db, staff, administrator):
    """R-OFF-6: configuration needs both the token's ``may_configure`` and an administrator
    as its staff member: a daily-work token (of a handler or an administrator) and a
    configuring token acting as a handler get 403 and change nothing."""
    endpoint = WebhookEndpoint.objects.create(
        office=Office.current(), url="https://dms.example.test/hook"
    )
    refused = {
        "handler, daily work": Api(make_token(staff, name="a")[1]),
        "administrator, daily work": Api(make_token(administrator, name="b")[1]),
        "handler, may configure": Api(configuring_token(staff, name="c")[1]),
    }
    for caller, api in refused.items():
        calls = [
            api.get(f"{V1}/webhook-endpoints/"),
            api.get(f"{V1}/webhook-endpoints/{endpoint.pk}/"),
            api.post(f"{V1}/webhook-endpoints/", {"url": "https://evil.test/"}),
            api.patch(f"{V1}/webhook-endpoints/{endpoint.pk}/", {"active": False}),
            api.post(f"{V1}/webhook-endpoints/{endpoint.pk}/rotate-secret/"),
        ]
        assert [call.status_code for call in calls] == [403] * 5, caller
    endpoint.refresh_from_db()
    assert endpoint.active
    assert WebhookEndpoint.objects.count() == 1
    assert not AuditEntry.objects.filter(action__startswith="api.webhook").exists()
    # Demoting the administrator ends the configuring token's configuration at once.
    token, raw = configuring_token(administrator, name="d")
    assert Api(raw).get(f"{V1}/webhook-endpoints/").status_code == 200
    administrator.staff_role = "handler"
    administrator.save()
    assert Api(raw).get(f"{V1}/webhook-endpoints/").status_code == 403
    # A configuring token still does the daily work.
    assert Api(raw).get(f"{V1}/dossiers/").status_code == 200
