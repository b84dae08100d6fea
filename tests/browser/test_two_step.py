"""Two-step verification in a real browser (R-ME-2): turn it on with the SMS code from the
outbox, keep the recovery codes, log out, log in with a code; on a 360 px wide screen too."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import UserFactory

from .conftest import log_in

pytestmark = pytest.mark.browser

NARROW = {"width": 360, "height": 740}


def last_code() -> str:
    files = sorted(Path(settings.SMS_DIR).glob("*.sms"))
    return re.search(r"\b(\d{6})\b", files[-1].read_text()).group(1)


@pytest.fixture
def sms_dir(tmp_path, settings):
    settings.SMS_DIR = tmp_path / "sms"
    settings.SMS_BACKEND = "outbox"
    settings.OTP_THROTTLE_FACTOR = 0


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, NARROW])
def test_turn_on_sms_and_log_in_with_a_code_R_ME_2(page: Page, sms_dir, viewport):
    """R-ME-2: Mijn gegevens → turn on with SMS → number → code → recovery codes; log out; the
    login asks for the code after the password; the code from the SMS logs in."""
    user = UserFactory(email="twee@example.test", full_name="Twee Stap")
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    log_in(page, user.email)
    page.goto("/mijn-gegevens/")
    page.get_by_role("link", name=re.compile("Instellen met sms|Turn on with SMS")).click()
    page.get_by_label(re.compile("Mobiel nummer|Mobile number")).fill("06-12345678")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Code versturen|Send code")).click()
    page.get_by_label(re.compile(r"^\s*Code")).fill(last_code())
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Bevestigen|Confirm")).click()
    codes = page.locator(".recovery-codes li")
    expect(codes).to_have_count(10)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    recovery = codes.first.inner_text().strip()
    page.get_by_role("link", name=re.compile("herstelcodes bewaard|saved my recovery")).click()
    expect(page.get_by_role("main")).to_contain_text("+31")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Uitloggen|Log out")).click()
    assert log_in(page, user.email) == "/inloggen/code/"
    field = page.get_by_label(re.compile(r"^\s*Code"))
    expect(field).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    field.fill(last_code())
    with page.expect_navigation():
        page.locator("form button[type=submit]", has_text=re.compile("Inloggen|Log in")).click()
    assert urlsplit(page.url).path == "/"

    # And once more with a recovery code.
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Uitloggen|Log out")).click()
    log_in(page, user.email)
    page.get_by_label(re.compile(r"^\s*Code")).fill(recovery)
    with page.expect_navigation():
        page.locator("form button[type=submit]", has_text=re.compile("Inloggen|Log in")).click()
    assert urlsplit(page.url).path == "/"
