"""The Content-Security-Policy in a real browser (issue 8, ASVS V3): injected inline code does
not run, and the pages themselves (the admin included) need nothing the policy blocks — the
``page`` fixture fails a test on any violation."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..factories import PASSWORD, StaffFactory
from .conftest import EMAIL_LABEL, LOGIN_BUTTON, PASSWORD_LABEL, watch_csp

pytestmark = pytest.mark.browser


def test_injected_inline_script_does_not_run_issue_8(browser, live_server, transactional_db):
    """A script element without the nonce, as an XSS would add it, is refused by the browser
    and reported as a violation."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    violations = watch_csp(page)
    page.goto("/inloggen/")
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.pwned = true'; document.body.appendChild(s); }"
        )
    assert page.evaluate("() => window.pwned === undefined")
    assert violations
    context.close()


def test_the_admin_works_under_the_policy_issue_8(page, live_server):
    """The office's admin pages load without a single policy violation (checked by the page
    fixture). The admin's own login page sends staff to the portal's login, password then
    code (the admin needs the second factor too)."""
    staff = StaffFactory(email="beheer@office.test", staff_role="administrator")
    page.goto("/beheer/")
    _log_in_with_code(page, staff)
    for path in (
        "/beheer/",
        "/beheer/messaging/message/",
        "/beheer/questionnaires/questionnairetemplate/add/",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        assert urlsplit(page.url).path == path


def _log_in_with_code(page, staff) -> None:
    """On the login page: the staff member's password, then the authenticator code."""
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    assert urlsplit(page.url).path == "/inloggen/"
    page.get_by_label(EMAIL_LABEL).fill(staff.email)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]", has_text=LOGIN_BUTTON).click()
    assert urlsplit(page.url).path == "/inloggen/code/"
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    page.get_by_label(re.compile("code", re.IGNORECASE)).first.fill(code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def test_the_api_docs_render_under_the_policy_R_OFF_6(page, live_server):
    """The API's browsable docs (Swagger UI, served from this origin) render their operations
    without a policy violation (checked by the page fixture). Issue 14 item 17: they need a
    staff session, so the browser is first sent to the login and then back to the docs."""
    page.goto("/api/docs/")
    assert urlsplit(page.url).query == "next=/api/docs/"
    _log_in_with_code(page, StaffFactory(email="ontwikkelaar@office.test"))
    page.goto("/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 10
