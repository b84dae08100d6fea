"""The Content-Security-Policy in a real browser (issue 8, ASVS V3): injected inline code does
not run, and the pages themselves (the admin included) need nothing the policy blocks — the
``page`` fixture fails a test on any violation."""

from __future__ import annotations

import pytest

from ..factories import PASSWORD, StaffFactory
from .conftest import watch_csp

pytestmark = pytest.mark.browser


def test_injected_inline_script_does_not_run(browser, live_server, transactional_db):
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


def test_the_admin_works_under_the_policy(page, live_server):
    """The office's admin pages load without a single policy violation (checked by the page
    fixture)."""
    StaffFactory(email="beheer@office.test", is_superuser=True)
    page.goto("/beheer/login/")
    page.fill("#id_username", "beheer@office.test")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/beheer/")
    for path in ("/beheer/", "/beheer/messaging/message/", "/beheer/dossiers/dossier/add/"):
        response = page.goto(path)
        assert response.status == 200, path
