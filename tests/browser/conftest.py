"""Browser tests: a real Chromium (Debian's, never a downloaded one) driven through Playwright's
sync API against pytest-django's ``live_server``.

One browser for the whole session; a fresh context (cookies, storage) for every test. Without
Chromium the tests are skipped on a developer's machine and fail in CI (``skip_or_fail``).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import skip_or_fail
from tests.factories import PASSWORD

# Playwright's sync API leaves its asyncio loop marked as running on the main thread from the
# browser's start to the end of the session, and the tests (and any test run after them in the
# same session) use the ORM on that thread; Django would refuse that as "async unsafe". It is
# not: no coroutine runs while a test body executes. Set at import, hence for the whole session.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
# Screenshots for a human to look at (not committed): /tmp/kp-shots/ unless KP_SHOTS_DIR is set.
SHOTS_DIR = Path(os.environ.get("KP_SHOTS_DIR") or Path(tempfile.gettempdir(), "kp-shots"))

# Labels and buttons in either language: Dutch once the .po files are compiled, English before.
EMAIL_LABEL = re.compile(r"^\s*(E-mailadres|E-mail address)", re.IGNORECASE)
PASSWORD_LABEL = re.compile(r"^\s*(Wachtwoord|Password)\b", re.IGNORECASE)
LOGIN_BUTTON = re.compile(r"^\s*(Inloggen|Log in)\s*$", re.IGNORECASE)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a dev dependency
        skip_or_fail(f"playwright is not importable: {exc}")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
    except Exception as exc:
        playwright.stop()
        skip_or_fail(f"Chromium did not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def viewport():
    """The viewport of ``page``; override with ``@pytest.mark.parametrize`` or a fixture."""
    return DESKTOP


@pytest.fixture
def page(browser, live_server, transactional_db, viewport):
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    violations = watch_csp(page)
    yield page
    context.close()
    # Issue 8: the Content-Security-Policy (no 'unsafe-inline') holds on every page a browser
    # test visits: nothing the pages need is blocked.
    assert violations == [], violations


def watch_csp(page) -> list[str]:
    """Collect the page's Content-Security-Policy violations (Chromium reports each one as a
    console error "Refused to … because it violates the following Content Security Policy")."""
    violations: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    return violations


@pytest.fixture
def shots_dir() -> Path:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SHOTS_DIR


def log_in(page, email: str, password: str = PASSWORD) -> str:
    """Log in through the real login form, as a client would; returns the path landed on."""
    page.goto("/inloggen/")
    page.get_by_label(EMAIL_LABEL).fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    with page.expect_navigation():
        page.locator("form button[type=submit]", has_text=LOGIN_BUTTON).click()
    return urlsplit(page.url).path


def pytest_terminal_summary(terminalreporter):
    """The browser suite reports the axe figures: pages × widths × languages, violations."""
    from .axe import summary

    line = summary()
    if line:
        terminalreporter.write_sep("-", "accessibility")
        terminalreporter.write_line(line)


@pytest.fixture
def axe(page):
    """``axe(label)``: axe-core's WCAG 2.2 AA check of ``page`` as it is now (tests/browser/axe.py);
    skipped without axe-core installed, a failure in CI."""
    from .axe import assert_no_axe_violations, axe_available

    axe_available()
    return lambda label, **options: assert_no_axe_violations(page, label, **options)
