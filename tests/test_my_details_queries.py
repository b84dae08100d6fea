"""Fixed query counts (as tests/test_query_counts.py) for the pages of "Mijn gegevens", the
second login step and the company's accounts (R-ME-1..4): the same with 1 and with 30 extra
accounts, recovery codes, pending notifications and passkeys (R-X-2, issue 15 item 1)."""

from __future__ import annotations

import secrets

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from portal.notifications.models import PendingNotification
from portal.offices.models import Office
from portal.twofactor import services as twofactor

from .factories import PASSWORD, ClientFactory, UserFactory
from .test_query_counts import ACTIONS_BAR

pytestmark = pytest.mark.django_db

# Per request: the office (by host name), the session, the user, then the page's own reads.
EXPECTED_QUERIES = {
    # 2FA status: SMS device, app device, passkeys, recovery codes left; notification
    # preferences; the client (company or person); the latest data export (R-RET-2).
    # Every client page also has the bar of open actions (R-HOME-3): ACTIONS_BAR, one query.
    "profile": 10 + ACTIONS_BAR,
    # the company (client) of the main account, the page of accounts.
    "extra accounts": 5 + ACTIONS_BAR,
    "extra account": 5 + ACTIONS_BAR,
    "extra account add": 4 + ACTIONS_BAR,
    # the pending user, the SMS device, the passkeys offered ("Gebruik uw passkey"), the
    # session saved with their challenge (savepoint, update, release), the office for branding.
    "login code": 8,
}


def company_with_extras(label: str, extras: int):
    company = ClientFactory(company=True)
    main = UserFactory(email=f"main-{label}@example.test", client=company, language="en")
    others = [
        UserFactory(email=f"x{i}-{label}@example.test", client=company, is_main_account=False)
        for i in range(extras)
    ]
    twofactor.start_sms_setup(user=main, number="+31612345678").__class__.objects.filter(
        user=main
    ).update(confirmed=True)
    twofactor._new_recovery_codes(main)
    for i in range(extras):
        WebAuthnCredential.objects.create(
            user=main,
            name=f"Passkey {i}",
            credential_id=secrets.token_bytes(32),
            public_key=b"not used here",
            aaguid="00000000-0000-0000-0000-000000000000",
            last_used_at=timezone.now() if i % 2 else None,
        )
    PendingNotification.objects.bulk_create(
        PendingNotification(user=main, event="document") for _ in range(extras)
    )
    return main, others


def count(http, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.mark.parametrize("extras", [1, 30])
def test_my_details_pages_have_fixed_query_counts_R_ME_1_R_ME_4(extras, settings, tmp_path):
    """R-ME-1..4: every page of Mijn gegevens runs a fixed number of queries."""
    settings.SMS_DIR = tmp_path
    main, others = company_with_extras(f"c{extras}", extras)
    # The office row exists, as in any deployment: making it on the first request is not the
    # page's work (recording the setup's changes in the API's feed makes it earlier anyway).
    Office.current()
    http = HttpClient()
    http.force_login(main)
    pages = {
        "profile": "/mijn-gegevens/",
        "extra accounts": "/mijn-gegevens/accounts/",
        "extra account": f"/mijn-gegevens/accounts/{others[-1].pk}/",
        "extra account add": "/mijn-gegevens/accounts/nieuw/",
    }
    got = {name: count(http, url) for name, url in pages.items()}
    pending = HttpClient()
    pending.post("/inloggen/", {"username": main.email, "password": PASSWORD})
    got["login code"] = count(pending, "/inloggen/code/")
    assert got == EXPECTED_QUERIES
    assert http.get("/mijn-gegevens/").content.decode().count("/passkey/") >= extras + 1
