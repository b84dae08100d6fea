"""Passkeys (WebAuthn) server-side (R-X-2, R-ME-2; issue 15 items 1 and 2): real signed answers
from a software key (tests/webauthn_helpers.py) through the portal's pages: registration in
Mijn gegevens, the second login step, the sign-in without password, removal, and the answers
that must be refused (another origin or relying party, a replay, another user's passkey, a
removed passkey, a sign counter that does not go up, no user verification)."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient
from django_otp_webauthn.models import WebAuthnCredential

from portal.audit.models import AuditEntry
from portal.twofactor import services as twofactor
from portal.twofactor.login import VERIFIED
from portal.twofactor.models import RecoveryCode
from portal.web.twofactor.views import PASSKEY_NAME

from .factories import PASSWORD, StaffFactory, UserFactory
from .webauthn_helpers import SoftPasskey, b64url

pytestmark = pytest.mark.django_db

BASE = "http://localhost:8000"
# The passkeys' relying party is the host the request came to (R-TEN-3).
HOST = "localhost:8000"
OPTIONS = re.compile(r'data-passkey-options="([^"]*)"')


@pytest.fixture(autouse=True)
def portal_address(settings):
    settings.PORTAL_BASE_URL = BASE
    settings.OTP_THROTTLE_FACTOR = 0


def page_options(response) -> dict:
    match = OPTIONS.search(response.content.decode())
    assert match, "the page offers no passkey"
    return json.loads(html.unescape(match.group(1)))


def add_passkey(http: HttpClient, key: SoftPasskey, name: str = "Telefoon", password=None):
    """Mijn gegevens → "Add a passkey" → name → the device answers; returns the last response."""
    data = {"name": name}
    if password:
        data["password"] = password
    response = http.post("/mijn-gegevens/verificatie/passkey/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    options = page_options(http.get("/mijn-gegevens/verificatie/passkey/maken/"))
    return http.post("/mijn-gegevens/verificatie/passkey/maken/", {"answer": key.register(options)})


def user_with_passkey(name="Telefoon", **factory):
    user = UserFactory(**factory)
    http = HttpClient(HTTP_HOST=HOST)
    http.force_login(user)
    key = SoftPasskey(origin=BASE)
    response = add_passkey(http, key, name)
    assert response.status_code == 200  # the recovery codes, shown once
    return user, key


def login_options(http: HttpClient) -> dict:
    response = http.post("/inloggen/passkey/opties/")
    assert response.status_code == 200
    return response.json()


def logged_in_user_id(http: HttpClient):
    return http.session.get("_auth_user_id")


def refused_because(caplog, reason: str) -> None:
    """The refusal was for ``reason`` (the portal logs why, never the answer itself)."""
    refusals = [r.getMessage() for r in caplog.records if r.name == "portal.passkeys"]
    assert refusals and reason in refusals[-1], refusals


def test_add_passkey_then_log_in_without_password_R_X_2():
    """R-X-2, issue 15 item 1: a passkey added in Mijn gegevens (named, audited, recovery codes
    made) signs in without a password; the session counts as two factors; its last use shows."""
    user, key = user_with_passkey("Laptop")
    device = WebAuthnCredential.objects.get(user=user)
    assert device.name == "Laptop" and device.confirmed and device.last_used_at is None
    assert twofactor.is_enabled(user)
    assert RecoveryCode.objects.filter(device__user=user).count() == 10
    assert AuditEntry.objects.filter(action="2fa.passkey_added", target=str(user)).exists()

    http = HttpClient(HTTP_HOST=HOST)
    answer = key.assert_(login_options(http))
    response = http.post("/inloggen/passkey/", {"answer": answer})
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in_user_id(http) == str(user.pk)
    assert http.session[VERIFIED] is True
    device.refresh_from_db()
    assert device.last_used_at is not None and device.sign_count == 1
    assert AuditEntry.objects.filter(action="login.passkey", actor=user).exists()
    profile = http.get("/mijn-gegevens/").content.decode()
    assert "Laptop" in profile and "not used yet" not in profile


def test_password_then_passkey_as_second_step_R_ME_2():
    """R-ME-2, issue 15 item 1: after the password the code step offers the passkey; its
    answer logs in and marks the session verified (audited as the second factor)."""
    user, key = user_with_passkey()
    http = HttpClient(HTTP_HOST=HOST)
    response = http.post("/inloggen/", {"username": user.email, "password": PASSWORD})
    assert response["Location"] == "/inloggen/code/"
    options = page_options(http.get("/inloggen/code/"))
    assert [item["id"] for item in options["allowCredentials"]] == [b64url(key.credential_id)]
    response = http.post("/inloggen/code/passkey/", {"answer": key.assert_(options)})
    assert response.status_code == 302
    assert logged_in_user_id(http) == str(user.pk) and http.session[VERIFIED] is True
    entry = AuditEntry.objects.get(action="login.second_factor", actor=user)
    assert entry.data["method"] == "passkey"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"origin": "https://klantportaal.example.net"}, "Unexpected client data origin"),
        ({"origin": "http://localhost:9999"}, "Unexpected client data origin"),
        ({"rp_id": "example.net"}, "Unexpected RP ID hash"),
    ],
    ids=["other origin", "other port", "other relying party"],
)
def test_answer_for_another_origin_or_relying_party_is_refused_R_X_2(change, reason, caplog):
    """R-X-2, issue 15 item 1: an assertion made for another origin or relying party id does
    not sign in."""
    user, key = user_with_passkey()
    http = HttpClient(HTTP_HOST=HOST)
    answer = key.assert_(login_options(http), **change)
    response = http.post("/inloggen/passkey/", {"answer": answer})
    assert response["Location"] == "/inloggen/"
    assert logged_in_user_id(http) is None
    refused_because(caplog, reason)


def test_registration_for_another_origin_is_refused_R_X_2(caplog):
    """R-X-2, issue 15 item 1: a passkey made on another site's page is not stored."""
    user = UserFactory()
    http = HttpClient(HTTP_HOST=HOST)
    http.force_login(user)
    key = SoftPasskey(origin="https://evil.example")
    response = add_passkey(http, key)
    assert response.status_code == 200
    assert not WebAuthnCredential.objects.filter(user=user).exists()
    assert not twofactor.is_enabled(user)
    refused_because(caplog, "Unexpected client data origin")


def test_replayed_assertion_is_refused_R_X_2(caplog):
    """R-X-2, issue 15 item 1: an answer works once: the challenge is used up (same session)
    and another session has another challenge."""
    user, key = user_with_passkey()
    http = HttpClient(HTTP_HOST=HOST)
    answer = key.assert_(login_options(http))
    assert http.post("/inloggen/passkey/", {"answer": answer})["Location"] == "/"

    # The same answer again, in a new browser that asked for its own challenge.
    other = HttpClient(HTTP_HOST=HOST)
    login_options(other)
    assert other.post("/inloggen/passkey/", {"answer": answer})["Location"] == "/inloggen/"
    assert logged_in_user_id(other) is None
    refused_because(caplog, "challenge was not expected challenge")
    # And in a session without a challenge: nothing to answer.
    replay = HttpClient(HTTP_HOST=HOST)
    assert replay.post("/inloggen/passkey/", {"answer": answer})["Location"] == "/inloggen/"
    assert logged_in_user_id(replay) is None
    refused_because(caplog, "no ceremony in progress")


def test_challenge_is_used_once_even_when_refused_R_X_2(caplog):
    """R-X-2, issue 15 item 1: a wrong answer uses the challenge up: a right one after it,
    for the same challenge, is refused too."""
    user, key = user_with_passkey()
    http = HttpClient(HTTP_HOST=HOST)
    options = login_options(http)
    bad = key.assert_(options, origin="https://evil.example")
    http.post("/inloggen/passkey/", {"answer": bad})
    good = key.assert_(options)
    assert http.post("/inloggen/passkey/", {"answer": good})["Location"] == "/inloggen/"
    assert logged_in_user_id(http) is None
    refused_because(caplog, "no ceremony in progress")


def test_another_users_passkey_is_refused_at_the_second_step_R_X_2(caplog):
    """R-X-2, issue 15 item 1: at the second step of user A, B's passkey (valid in itself) is
    refused."""
    alice, _alice_key = user_with_passkey(email="alice@example.test")
    _bob, bob_key = user_with_passkey(email="bob@example.test")
    http = HttpClient(HTTP_HOST=HOST)
    http.post("/inloggen/", {"username": alice.email, "password": PASSWORD})
    options = page_options(http.get("/inloggen/code/"))
    response = http.post("/inloggen/code/passkey/", {"answer": bob_key.assert_(options)})
    assert response["Location"] == "/inloggen/code/"
    assert logged_in_user_id(http) is None
    refused_because(caplog, "CredentialUserMismatch")


def test_user_handle_of_another_account_is_refused_R_X_2(caplog):
    """R-X-2, issue 15 item 1: a passkey that names another account (its user handle) does not
    sign in."""
    _alice, alice_key = user_with_passkey(email="alice@example.test")
    _bob, bob_key = user_with_passkey(email="bob@example.test")
    alice_key.user_handle = bob_key.user_handle
    http = HttpClient(HTTP_HOST=HOST)
    response = http.post("/inloggen/passkey/", {"answer": alice_key.assert_(login_options(http))})
    assert response["Location"] == "/inloggen/"
    assert logged_in_user_id(http) is None
    refused_because(caplog, "the user handle is not the passkey's account")
    # Nothing of the refused use was kept.
    assert WebAuthnCredential.objects.get(user=_alice).last_used_at is None


def test_removed_passkey_is_refused_and_removal_asks_the_password_R_X_2(caplog):
    """R-X-2, issue 15 items 1 and 2: removing asks the password again (a wrong one removes
    nothing); the removal is audited; the removed passkey no longer signs in; removing the last
    second factor turns two-step verification off and the password alone logs in."""
    user, key = user_with_passkey()
    device = WebAuthnCredential.objects.get(user=user)
    http = HttpClient(HTTP_HOST=HOST)
    http.force_login(user)
    url = f"/mijn-gegevens/verificatie/passkey/{device.pk}/verwijderen/"
    assert http.get(url).status_code == 200
    response = http.post(url, {"password": "wrong"})
    assert response.status_code == 200 and WebAuthnCredential.objects.filter(pk=device.pk).exists()
    response = http.post(url, {"password": PASSWORD})
    assert response["Location"] == "/mijn-gegevens/"
    assert not WebAuthnCredential.objects.filter(pk=device.pk).exists()
    assert AuditEntry.objects.filter(action="2fa.passkey_removed", target=str(user)).exists()
    assert not twofactor.is_enabled(user)

    browser = HttpClient(HTTP_HOST=HOST)
    answer = key.assert_(login_options(browser))
    assert browser.post("/inloggen/passkey/", {"answer": answer})["Location"] == "/inloggen/"
    assert logged_in_user_id(browser) is None
    refused_because(caplog, "CredentialNotFound")
    # Not locked out: the password alone logs in now.
    response = browser.post("/inloggen/", {"username": user.email, "password": PASSWORD})
    assert response["Location"] == "/" and logged_in_user_id(browser) == str(user.pk)


def test_someone_elses_passkey_cannot_be_removed_R_X_2():
    """R-X-2, issue 15 item 1: the remove page of another user's passkey does not exist."""
    _owner, _key = user_with_passkey(email="owner@example.test")
    device = WebAuthnCredential.objects.get()
    http = HttpClient(HTTP_HOST=HOST)
    http.force_login(UserFactory(email="other@example.test"))
    url = f"/mijn-gegevens/verificatie/passkey/{device.pk}/verwijderen/"
    assert http.post(url, {"password": PASSWORD}).status_code == 404
    assert WebAuthnCredential.objects.filter(pk=device.pk).exists()


@pytest.mark.parametrize("step", [0, -1], ids=["same count", "lower count"])
def test_sign_counter_that_does_not_go_up_is_refused_R_X_2(step, caplog):
    """R-X-2, issue 15 item 1: a sign counter that stays or goes back (a cloned authenticator)
    is refused."""
    user, key = user_with_passkey()
    for _ in range(3):
        http = HttpClient(HTTP_HOST=HOST)
        assert (
            http.post("/inloggen/passkey/", {"answer": key.assert_(login_options(http))})[
                "Location"
            ]
            == "/"
        )
    assert WebAuthnCredential.objects.get(user=user).sign_count == 3
    http = HttpClient(HTTP_HOST=HOST)
    answer = key.assert_(login_options(http), count_step=step)
    assert http.post("/inloggen/passkey/", {"answer": answer})["Location"] == "/inloggen/"
    assert logged_in_user_id(http) is None
    refused_because(caplog, "was not greater than current count of 3")
    assert WebAuthnCredential.objects.get(user=user).sign_count == 3


def test_sign_in_without_password_needs_user_verification_R_X_2(caplog):
    """R-X-2, issue 15 item 1: without user verification (PIN, fingerprint) a passkey is one
    factor: it does not sign in without the password."""
    _user, key = user_with_passkey()
    http = HttpClient(HTTP_HOST=HOST)
    answer = key.assert_(login_options(http), verified=False)
    assert http.post("/inloggen/passkey/", {"answer": answer})["Location"] == "/inloggen/"
    assert logged_in_user_id(http) is None
    refused_because(caplog, "User verification is required")


def test_inactive_account_cannot_sign_in_with_its_passkey_R_X_2(caplog):
    """R-X-2, issue 15 item 1: a blocked account's passkey does not sign in."""
    user, key = user_with_passkey()
    user.is_active = False
    user.save(update_fields=["is_active"])
    http = HttpClient(HTTP_HOST=HOST)
    answer = key.assert_(login_options(http))
    assert http.post("/inloggen/passkey/", {"answer": answer})["Location"] == "/inloggen/"
    assert logged_in_user_id(http) is None
    refused_because(caplog, "not active")


def test_garbage_answers_get_the_message_not_an_error_R_X_2():
    """R-X-2, issue 15 item 1: an answer that is no WebAuthn answer at all is refused with the
    message, never a server error."""
    _user, _key = user_with_passkey()
    for answer in ["", "not json", "[]", '{"id": 5}', '{"rawId": "!!", "response": {}}']:
        cache.clear()  # the login's rate limit per address is not what this test is about
        http = HttpClient(HTTP_HOST=HOST)
        login_options(http)
        response = http.post("/inloggen/passkey/", {"answer": answer})
        assert response.status_code == 302 and response["Location"] == "/inloggen/", answer


def test_adding_a_second_passkey_asks_the_password_R_X_2():
    """R-X-2, issue 15 item 1: with a second factor on, adding a passkey asks the password
    again; several passkeys each have their own name."""
    user, _key = user_with_passkey("Telefoon")
    http = HttpClient(HTTP_HOST=HOST)
    http.force_login(user)
    session = http.session
    session[VERIFIED] = True
    session.save()
    response = http.post("/mijn-gegevens/verificatie/passkey/", {"name": "Laptop"})
    assert response.status_code == 200  # the password is missing
    response = add_passkey(http, SoftPasskey(origin=BASE), "Laptop", password=PASSWORD)
    assert response["Location"] == "/mijn-gegevens/"
    names = set(WebAuthnCredential.objects.filter(user=user).values_list("name", flat=True))
    assert names == {"Telefoon", "Laptop"}


def test_unverified_session_cannot_add_a_passkey_R_X_2():
    """R-X-2, issue 15 item 1: a session that did not pass the second factor cannot add one
    (no way around the second step)."""
    user, _key = user_with_passkey()
    http = HttpClient(HTTP_HOST=HOST)
    http.force_login(user)
    response = http.post(
        "/mijn-gegevens/verificatie/passkey/", {"name": "Stiekem", "password": PASSWORD}
    )
    assert response["Location"] == "/mijn-gegevens/"
    assert WebAuthnCredential.objects.filter(user=user).count() == 1


def test_recovery_code_still_logs_in_a_passkey_user_R_ME_2():
    """R-ME-2, issue 15 item 2: a user whose passkey is lost logs in with password and a
    recovery code."""
    user = UserFactory()
    http = HttpClient(HTTP_HOST=HOST)
    http.force_login(user)
    response = add_passkey(http, SoftPasskey(origin=BASE))
    codes = re.findall(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b", response.content.decode())
    assert len(codes) == 10
    browser = HttpClient(HTTP_HOST=HOST)
    browser.post("/inloggen/", {"username": user.email, "password": PASSWORD})
    response = browser.post("/inloggen/code/", {"code": codes[0]})
    assert response["Location"] == "/"
    assert logged_in_user_id(browser) == str(user.pk) and browser.session[VERIFIED] is True


def test_staff_reset_removes_passkeys_audited_R_ME_2(admin_client, admin_user):
    """R-ME-2, issue 15 item 2: a client who lost every device and the recovery codes: the
    office's reset in the admin removes the passkeys too, audited; the client then logs in with
    the password."""
    user, key = user_with_passkey()
    response = admin_client.post(
        "/beheer/accounts/user/",
        {"action": "disable_two_step", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302
    assert not WebAuthnCredential.objects.filter(user=user).exists()
    assert not twofactor.is_enabled(user)
    assert AuditEntry.objects.filter(
        action="2fa.disabled", actor=admin_user, target=str(user)
    ).exists()
    http = HttpClient(HTTP_HOST=HOST)
    response = http.post("/inloggen/", {"username": user.email, "password": PASSWORD})
    assert response["Location"] == "/"


def test_staff_meets_the_workspace_requirement_with_a_passkey_R_X_2():
    """R-X-2, issue 15 item 1: the workspace's setup offers a passkey; a staff member who adds
    one (or signs in with it) uses the workspace."""
    staff = StaffFactory()
    http = HttpClient(HTTP_HOST=HOST)
    http.force_login(staff)
    assert http.get("/kantoor/")["Location"] == "/kantoor/verificatie/"
    setup = http.get("/kantoor/verificatie/").content.decode()
    assert "/mijn-gegevens/verificatie/passkey/" in setup
    key = SoftPasskey(origin=BASE)
    response = add_passkey(http, key, "Kantoor-laptop")
    assert response.status_code == 200  # recovery codes, then on to the workspace
    assert http.get("/kantoor/").status_code == 200

    browser = HttpClient(HTTP_HOST=HOST)
    answer = key.assert_(login_options(browser))
    assert browser.post("/inloggen/passkey/", {"answer": answer})["Location"] == "/kantoor/"
    assert browser.get("/kantoor/").status_code == 200


def test_too_long_name_is_refused_with_a_message_R_X_2():
    """R-X-2, issue 15 item 1: a passkey name longer than can be stored gets a message; it is
    never cut off silently."""
    user = UserFactory()
    http = HttpClient(HTTP_HOST=HOST)
    http.force_login(user)
    response = http.post("/mijn-gegevens/verificatie/passkey/", {"name": "x" * 65})
    assert response.status_code == 200
    errors = response.context["form"].errors["name"]
    assert errors and "64" in errors[0]
    assert errors[0] in html.unescape(response.content.decode())
    assert PASSKEY_NAME not in http.session  # not on to making the passkey
