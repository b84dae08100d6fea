"""Passkeys in a real browser (R-X-2, issue 15 items 1-3): Chromium's virtual authenticator
(ctap2, internal, resident keys, user verification) stands in for a phone. Register a passkey
in Mijn gegevens, log out, sign in with "Inloggen met een passkey" without a password; password
plus passkey as the second step; remove it (password asked again); a staff member meets the
workspace's requirement with one; the passkey sign-in by keyboard alone. The page fixture fails
a test on any Content-Security-Policy violation (the script is the portal's own static file)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, StaffFactory, UserFactory

from .conftest import log_in

pytestmark = pytest.mark.browser

ADD_LINK = re.compile("Passkey toevoegen|Add a passkey")
NAME_LABEL = re.compile("Naam van de passkey|Name of the passkey")
MAKE_BUTTON = re.compile("Passkey aanmaken|Make the passkey")
PASSKEY_LOGIN = re.compile("Inloggen met een passkey|Log in with a passkey")
USE_PASSKEY = re.compile("Gebruik uw passkey|Use your passkey")
SAVED_CODES = re.compile("herstelcodes bewaard|saved my recovery")
LOG_OUT = re.compile("Uitloggen|Log out")


@pytest.fixture
def authenticator(page: Page, live_server, settings):
    """A virtual platform authenticator in this page's browser; the portal's address is the
    live server's (http://localhost:…, a secure context), so the relying party is localhost."""
    assert urlsplit(live_server.url).hostname == "localhost"
    settings.PORTAL_BASE_URL = live_server.url
    settings.OTP_THROTTLE_FACTOR = 0
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def returning_user(**kwargs):
    user = UserFactory(**kwargs)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    return user


def add_passkey(page: Page, name: str = "Laptop") -> None:
    """From Mijn gegevens: "Add a passkey", a name, "Make the passkey"; the recovery codes of a
    first second factor; back."""
    page.goto("/mijn-gegevens/")
    page.get_by_role("link", name=ADD_LINK).click()
    page.get_by_label(NAME_LABEL).fill(name)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Volgende|Next")).click()
    with page.expect_navigation():
        page.get_by_role("button", name=MAKE_BUTTON).click()


def log_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=LOG_OUT).click()


def test_register_log_out_and_sign_in_with_a_passkey_R_X_2(page: Page, authenticator):
    """R-X-2, issue 15 item 1: the new user's walk: register a passkey in Mijn gegevens, log out,
    "Inloggen met een passkey" signs in without a password; Mijn gegevens shows its last use."""
    cdp, authenticator_id = authenticator
    user = returning_user(email="passkey@example.test")
    log_in(page, user.email)
    add_passkey(page, "Laptop")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name=SAVED_CODES).click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Laptop")
    expect(main).to_contain_text(re.compile("nog niet gebruikt|not used yet"))
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert [c["isResidentCredential"] for c in credentials["credentials"]] == [True]
    assert credentials["credentials"][0]["rpId"] == "localhost"

    log_out(page)
    assert urlsplit(page.url).path == "/inloggen/"
    with page.expect_navigation():
        page.get_by_role("button", name=PASSKEY_LOGIN).click()
    assert urlsplit(page.url).path == "/"
    page.goto("/mijn-gegevens/")
    expect(page.get_by_role("main")).to_contain_text(re.compile("laatst gebruikt|last used"))


def test_password_plus_passkey_as_second_step_R_ME_2(page: Page, authenticator):
    """R-ME-2, R-X-2, issue 15 item 1: after the password, the code step offers "Gebruik uw
    passkey", which logs in."""
    user = returning_user(email="tweede@example.test")
    log_in(page, user.email)
    add_passkey(page)
    page.get_by_role("link", name=SAVED_CODES).click()
    log_out(page)
    assert log_in(page, user.email) == "/inloggen/code/"
    with page.expect_navigation():
        page.get_by_role("button", name=USE_PASSKEY).click()
    assert urlsplit(page.url).path == "/"


def test_remove_a_passkey_asks_the_password_R_X_2(page: Page, authenticator):
    """R-X-2, issue 15 items 1 and 2: "Remove" asks the password again; the passkey is gone from
    Mijn gegevens and no longer signs in; the password alone logs in (never locked out)."""
    user = returning_user(email="weg@example.test")
    log_in(page, user.email)
    add_passkey(page, "Oude telefoon")
    page.get_by_role("link", name=SAVED_CODES).click()
    page.get_by_role("link", name=re.compile("(Verwijder|Remove).*Oude telefoon")).click()
    page.get_by_label(re.compile("Uw wachtwoord|Your password")).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^\\s*(Verwijder|Remove)")).click()
    assert urlsplit(page.url).path == "/mijn-gegevens/"
    expect(page.locator(".passkey-list li")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text(re.compile("is verwijderd|has been removed"))

    log_out(page)
    with page.expect_navigation():
        page.get_by_role("button", name=PASSKEY_LOGIN).click()
    assert urlsplit(page.url).path == "/inloggen/"
    expect(page.get_by_role("status")).to_contain_text(
        re.compile("kon u niet worden ingelogd|could not be logged in")
    )
    assert log_in(page, user.email) == "/"


def test_staff_meets_the_workspace_requirement_with_a_passkey_R_X_2(page: Page, authenticator):
    """R-X-2, issue 15 item 1: the workspace's /kantoor/verificatie/ offers a passkey; with one
    the staff member uses the workspace, and signs in to it with the passkey alone."""
    staff = StaffFactory(email="medewerker@example.test")
    staff.last_login = timezone.now()
    staff.save(update_fields=["last_login"])
    log_in(page, staff.email)
    assert urlsplit(page.url).path == "/kantoor/verificatie/"
    page.get_by_role("link", name=re.compile("^\\s*Passkey\\s*$")).click()
    page.get_by_label(NAME_LABEL).fill("Kantoor")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Volgende|Next")).click()
    with page.expect_navigation():
        page.get_by_role("button", name=MAKE_BUTTON).click()
    with page.expect_navigation():
        page.get_by_role("link", name=SAVED_CODES).click()
    assert urlsplit(page.url).path == "/kantoor/"

    log_out(page)
    with page.expect_navigation():
        page.get_by_role("button", name=PASSKEY_LOGIN).click()
    assert urlsplit(page.url).path == "/kantoor/"
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_passkey_sign_in_by_keyboard_alone_R_X_4(page: Page, authenticator):
    """R-X-4 (WCAG 2.1.1), issue 15 item 1: on the login page Tab reaches "Inloggen met een
    passkey" and Enter signs in."""
    user = returning_user(email="toetsen@example.test")
    log_in(page, user.email)
    add_passkey(page)
    page.get_by_role("link", name=SAVED_CODES).click()
    log_out(page)
    button = page.get_by_role("button", name=PASSKEY_LOGIN)
    expect(button).to_be_visible()
    for _ in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the passkey button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/"
