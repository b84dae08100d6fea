"""Tokens in the admin (R-OFF-6): the full token is shown once after saving, only its hash is
stored; revoking is an admin action; the audit trail never holds the secret."""

from __future__ import annotations

import re

import pytest

from portal.audit.models import AuditEntry
from portal.integrations.models import ApiToken, hash_secret

from .api_helpers import Api
from .factories import StaffFactory
from .workspace_helpers import staff_http


@pytest.mark.django_db
def test_admin_creates_a_token_shown_once_and_revokes_it_R_OFF_6():
    admin_user = StaffFactory(email="beheer@office.test", staff_role="administrator")
    integration = StaffFactory(email="koppeling@office.test")
    http = staff_http(admin_user)  # the admin needs the second factor
    response = http.post(
        "/beheer/api/apitoken/add/",
        {"name": "Dossierbeheer", "acting_user": integration.pk},
        follow=True,
    )
    assert response.status_code == 200
    raw = re.search(r"<code>(kp_[A-Za-z0-9_-]+)</code>", response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.secret_hash == hash_secret(raw)
    assert raw not in str(list(ApiToken.objects.values()))
    assert token.created_by == admin_user
    assert Api(raw).get("/api/v1/clients/").status_code == 200
    # The change page does not show it again.
    page = http.get(f"/beheer/api/apitoken/{token.pk}/change/")
    assert raw not in page.content.decode()

    http.post(
        "/beheer/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert ApiToken.objects.get().revoked_at is not None
    assert Api(raw).get("/api/v1/clients/").status_code == 401
    secret = raw.split("_", 2)[2]
    for entry in AuditEntry.objects.all():
        assert secret not in str(entry.data) + entry.target
    assert AuditEntry.objects.filter(action="api.token_revoked").exists()


@pytest.mark.django_db
def test_admin_issues_a_configuring_token_explicitly_R_OFF_6():
    """R-OFF-6: "may configure" is chosen when the token is made (off by default, recorded in
    the audit trail) and cannot be switched on later; such a token acting as an office
    administrator manages the webhook endpoints."""
    admin_user = StaffFactory(email="beheer@office.test", staff_role="administrator")
    http = staff_http(admin_user)
    response = http.post(
        "/beheer/api/apitoken/add/",
        {"name": "Configuratie", "acting_user": admin_user.pk, "may_configure": "on"},
        follow=True,
    )
    raw = re.search(r"<code>(kp_[A-Za-z0-9_-]+)</code>", response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.may_configure is True
    assert AuditEntry.objects.get(action="api.token_created").data["may_configure"] is True
    assert Api(raw).get("/api/v1/webhook-endpoints/").status_code == 200
    page = http.get(f"/beheer/api/apitoken/{token.pk}/change/").content.decode()
    assert 'name="may_configure"' not in page
    http.post(
        "/beheer/api/apitoken/add/",
        {"name": "Dagelijks", "acting_user": admin_user.pk},
        follow=True,
    )
    assert ApiToken.objects.get(name="Dagelijks").may_configure is False
