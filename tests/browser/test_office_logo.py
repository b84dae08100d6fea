"""The office logo in a real browser (R-ACC-5): it loads in the header of the login page under
the pages' Content-Security-Policy, at 360 and 1280 px; opened on its own, an SVG logo cannot
run script."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page

from portal.offices.logos import clean_logo
from portal.offices.models import Office
from portal_dev.management.commands.demo import DEMO_LOGO

pytestmark = pytest.mark.browser


@pytest.fixture
def office_with_logo(transactional_db) -> Office:
    office = Office.current()
    office.name = "Notariskantoor Van Dam & De Boer"
    with DEMO_LOGO.open("rb") as handle:
        office.logo = clean_logo(handle)
    office.save()
    return office


@pytest.mark.parametrize(
    "viewport", [{"width": 360, "height": 740}, {"width": 1280, "height": 800}]
)
def test_logo_loads_in_the_header_R_ACC_5(page: Page, office_with_logo, viewport):
    """R-ACC-5, issue 14 item 22: the demo office's logo is drawn in the header of the login
    page (no CSP violation: the page fixture checks), at most 40 px high, next to the name."""
    page.goto("/inloggen/")
    logo = page.locator(".site-header img.brand-logo")
    logo.wait_for()
    size = logo.evaluate(
        "img => img.complete ? [img.naturalWidth, img.getBoundingClientRect().height] : [0, 0]"
    )
    assert size[0] > 0, "the logo did not load"
    assert 20 <= size[1] <= 40, size
    assert "Van Dam & De Boer" in page.locator(".site-header .brand").inner_text()


def test_svg_logo_opened_on_its_own_runs_no_script_R_X_3(browser, live_server, office_with_logo):
    """R-X-3, issue 14 item 22: an SVG logo with script (stored before logos were sanitised, or
    by a path around the check) opened directly runs nothing: the view's policy forbids it.
    (Its own context: the refusals are the expected CSP reports here.)"""
    office_with_logo.logo = ContentFile(
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="document.title=\'owned\'">'
        b"<script>document.title='owned'</script><rect width='9' height='9'/></svg>",
        name="logo.svg",
    )
    office_with_logo.save()
    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        response = page.goto(office_with_logo.logo_url)
        assert response.status == 200
        page.wait_for_timeout(300)
        assert page.evaluate("document.title") != "owned"
    finally:
        context.close()
