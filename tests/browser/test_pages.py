"""The client's pages in a real browser: login and branding, Home, the dossier list with search
and status filter, a dossier's progress, a phone-sized screen and keyboard use.

Text is matched in Dutch or English: the UI is Dutch by default, but only once the .po files
are compiled; before that Django falls back to the English msgids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.accounts.models import User
from portal.dossiers.models import Dossier
from portal.offices.models import Office
from tests.factories import DossierFactory, StatusFactory, StepFactory, UserFactory, grant

from .conftest import PHONE, log_in

pytestmark = pytest.mark.browser

OFFICE_NAME = "Notariskantoor Van Speijk-Oudenallen"
HOME = re.compile(r"^\s*Home\s*$")
DOSSIERS = re.compile(r"^\s*Dossiers\s*$")
MY_DETAILS = re.compile(r"^\s*(Mijn gegevens|My details)\s*$")
LOG_OUT = re.compile(r"^\s*(Uitloggen|Log out)\s*$")
SEARCH = re.compile(r"^\s*(Zoeken|Zoek|Search)\s*$")
PROGRESS = re.compile(r"(Voortgang|Progress) \(4/10\)")


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@dataclass
class Portfolio:
    """A client who has logged in before, with four dossiers under two statuses; the first has
    a progress list of ten steps, four of them done."""

    user: User
    busy: Dossier
    kerkstraat: Dossier
    company: Dossier
    finished: Dossier


@pytest.fixture
def office() -> Office:
    office = Office.current()
    office.name = OFFICE_NAME
    office.save()
    return office


@pytest.fixture
def portfolio(transactional_db, office) -> Portfolio:
    user = UserFactory(email="klant@example.test", full_name="Jan de Vries")
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    done = StatusFactory(name="Afgerond", in_progress=False)
    busy = DossierFactory(
        number="2026.10001", description="Levering appartement Oudegracht 12, Utrecht"
    )
    kerkstraat = DossierFactory(
        number="2026.10002", description="Levering woning Kerkstraat 3, Utrecht"
    )
    company = DossierFactory(number="2026.10003", description="Oprichting Voorbeeld B.V.")
    finished = DossierFactory(
        number="2025.20001", description="Testament Jan de Vries", status=done
    )
    for dossier in (busy, kerkstraat, company, finished):
        grant(dossier, user.client)
    for position in range(10):
        StepFactory(
            dossier=busy, position=position, title=f"Stap {position + 1}", done=position < 4
        )
    # Someone else's dossier never shows up in the list.
    grant(DossierFactory(description="Levering woning Kerkstraat 99"), UserFactory().client)
    return Portfolio(user, busy, kerkstraat, company, finished)


# --- Login (R-ACC-3, R-ACC-4, R-ACC-5) ------------------------------------------------------


def test_login_page_shows_office_name_R_ACC_4_R_ACC_5(page: Page, office):
    """R-ACC-4 / R-ACC-5: the login page welcomes the client to the portal of *this* office."""
    page.goto("/")
    assert path_of(page) == "/inloggen/"
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(OFFICE_NAME)
    expect(page).to_have_title(re.compile(re.escape(OFFICE_NAME)))
    expect(page.locator(".site-header")).to_contain_text(OFFICE_NAME)


def test_wrong_password_shows_error_R_ACC_4(page: Page, portfolio):
    """R-ACC-4: a wrong password keeps the client on the login page with a message."""
    assert log_in(page, portfolio.user.email, "Niet-het-wachtwoord1") == "/inloggen/"
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(re.compile(r"onjuist|incorrect", re.IGNORECASE))
    # The address stays filled in; the password does not.
    expect(page.locator("input[name=username]")).to_have_value(portfolio.user.email)
    expect(page.locator("input[name=password]")).to_have_value("")


def test_correct_login_lands_on_home_R_ACC_4(page: Page, portfolio):
    """R-ACC-4: a client who has logged in before lands on Home."""
    assert log_in(page, portfolio.user.email) == "/"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jan de Vries")


def test_first_login_opens_my_details_then_home_R_ACC_3(page: Page, office):
    """R-ACC-3: the very first login opens "Mijn gegevens"; the next one opens Home."""
    user = UserFactory(email="nieuw@example.test")
    assert user.last_login is None
    assert log_in(page, user.email) == "/mijn-gegevens/"
    expect(page.get_by_role("heading", level=1)).to_have_text(MY_DETAILS)
    expect(page.get_by_role("main")).to_contain_text(user.email)

    with page.expect_navigation():
        page.get_by_role("button", name=LOG_OUT).click()
    assert path_of(page) == "/inloggen/"

    assert log_in(page, user.email) == "/"


def test_stylesheet_is_served_and_applied_R_X_4(page: Page, office):
    """Every page links portal.css; it must really arrive (not a 404 page) and take effect."""
    page.goto("/inloggen/")
    href = page.locator("link[rel=stylesheet]").get_attribute("href")
    assert href
    response = page.request.get(href)
    assert response.status == 200, f"{href} answered {response.status}"
    assert response.headers["content-type"].startswith("text/css")
    position = page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position")
    assert position == "absolute"


# --- Home (R-HOME-1) ------------------------------------------------------------------------


def test_home_tiles_and_navigation_R_HOME_1(page: Page, portfolio):
    """R-HOME-1: Home has three tiles; the Dossiers tile opens the list, "Home" returns."""
    log_in(page, portfolio.user.email)
    tiles = page.locator("main .tiles > li")
    expect(tiles).to_have_count(3)
    expect(tiles.get_by_role("heading", level=2)).to_have_text(
        [DOSSIERS, re.compile(r"Acties|Actions"), MY_DETAILS]
    )
    # R-HOME-2 as seen: 3 of the 4 dossiers are in progress.
    expect(tiles.first).to_contain_text("3")
    expect(tiles.first).to_contain_text("4")

    with page.expect_navigation():
        tiles.first.get_by_role("link", name=DOSSIERS).click()
    assert path_of(page) == "/dossiers/"
    expect(page.locator("main table tbody tr")).to_have_count(4)

    nav = page.get_by_role("navigation").filter(has=page.get_by_role("link", name=HOME))
    with page.expect_navigation():
        nav.get_by_role("link", name=HOME).click()
    assert path_of(page) == "/"
    expect(page.locator("main .tiles > li")).to_have_count(3)


def test_in_progress_figure_opens_the_dossiers_it_counts_R_HOME_2_R_DOS_3(page: Page, portfolio):
    """R-HOME-2 / R-DOS-3, issue 14 item 4: clicking the tile's "in behandeling" number opens
    the list with "Alle lopende dossiers" ticked and exactly that many rows; a click elsewhere
    on the tile still opens the whole list."""
    log_in(page, portfolio.user.email)
    tile = page.locator("main .tiles > li").first
    figure = tile.locator(".tile-figures > div").filter(has_text="in behandeling")
    expect(figure.locator("dd")).to_have_text("3")

    with page.expect_navigation():
        figure.get_by_role("link").click()
    expect(page.locator("main table tbody tr")).to_have_count(3)
    expect(page.get_by_label("Alle lopende dossiers (3)")).to_be_checked()

    page.goto("/")
    box = tile.locator(".tile").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] - 10, box["y"] + box["height"] - 10)
    assert path_of(page) == "/dossiers/"
    expect(page.locator("main table tbody tr")).to_have_count(4)


# --- Dossier list: search and status filter (R-DOS-2, R-DOS-3) ------------------------------


def test_search_filters_rows_R_DOS_2(page: Page, portfolio):
    """R-DOS-2: typing part of a description and searching shows only the matching dossiers."""
    log_in(page, portfolio.user.email)
    page.goto("/dossiers/")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(4)

    search = page.get_by_role("search")
    search.get_by_role("searchbox").fill("kerkstraat")
    with page.expect_navigation():
        search.get_by_role("button", name=SEARCH).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(portfolio.kerkstraat.number)
    expect(page.get_by_role("searchbox")).to_have_value("kerkstraat")

    # A dossier number works too, and pressing Enter in the box submits.
    page.get_by_role("searchbox").fill("2025.2")
    with page.expect_navigation():
        page.get_by_role("searchbox").press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(portfolio.finished.description)

    page.get_by_role("searchbox").fill("bestaat niet")
    with page.expect_navigation():
        page.get_by_role("searchbox").press("Enter")
    expect(rows).to_have_count(0)
    expect(page.get_by_role("main").get_by_role("status")).to_be_visible()


def test_status_filter_R_DOS_3(page: Page, portfolio):
    """R-DOS-3: ticking a status and searching shows only the dossiers with that status."""
    log_in(page, portfolio.user.email)
    page.goto("/dossiers/")
    search = page.get_by_role("search")
    afgerond = search.get_by_role("checkbox", name="Afgerond")
    # The two statuses, and "Alle lopende dossiers" (every in-progress status, issue 14).
    expect(search.get_by_role("checkbox")).to_have_count(3)
    afgerond.check()
    with page.expect_navigation():
        search.get_by_role("button", name=SEARCH).click()

    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(portfolio.finished.number)
    expect(page.get_by_role("search").get_by_role("checkbox", name="Afgerond")).to_be_checked()

    # Both statuses ticked: all four again.
    page.get_by_role("search").get_by_role("checkbox", name="In behandeling").check()
    with page.expect_navigation():
        page.get_by_role("search").get_by_role("button", name=SEARCH).click()
    expect(rows).to_have_count(4)


# --- A dossier's progress (R-DOS-5) ---------------------------------------------------------


def test_progress_is_collapsed_and_opens_with_keyboard_R_DOS_5(page: Page, portfolio, shots_dir):
    """R-DOS-5: the progress list is closed at first, shows "(4/10)", and opens with Enter."""
    log_in(page, portfolio.user.email)
    page.goto(f"/dossiers/{portfolio.busy.pk}/")
    details = page.locator("details.progress")
    summary = details.locator("summary")
    steps = details.locator(".steps li")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(PROGRESS)
    expect(details).not_to_have_attribute("open", "")
    expect(steps.first).to_be_hidden()

    # Reach the summary the way a keyboard user does: Tab, Tab, ... (bounded).
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")

    expect(details).to_have_attribute("open", "")
    expect(steps).to_have_count(10)
    expect(steps.first).to_be_visible()
    expect(steps.first).to_contain_text("Stap 1")
    expect(details.locator(".steps li.step-done")).to_have_count(4)
    page.screenshot(path=str(shots_dir / "dossier-desktop.png"), full_page=True)

    # And closes again the same way.
    page.keyboard.press("Enter")
    expect(steps.first).to_be_hidden()


# --- Phone-sized screen (R-X-4) -------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE])
def test_phone_no_horizontal_overflow_R_X_4(page: Page, portfolio, shots_dir):
    """R-X-4: on a 375 px wide phone the pages fit the width and every nav link can be used."""
    log_in(page, portfolio.user.email)
    assert path_of(page) == "/"
    assert page.viewport_size == PHONE
    assert no_horizontal_overflow(page), "Home scrolls sideways"
    page.screenshot(path=str(shots_dir / "home-phone.png"), full_page=True)

    nav = page.get_by_role("navigation").filter(has=page.get_by_role("link", name=HOME))
    for control in (
        nav.get_by_role("link", name=HOME),
        nav.get_by_role("link", name=DOSSIERS),
        nav.get_by_role("link", name=MY_DETAILS),
        nav.get_by_role("button", name=LOG_OUT),
    ):
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box

    with page.expect_navigation():
        nav.get_by_role("link", name=DOSSIERS).click()
    assert path_of(page) == "/dossiers/"
    expect(page.locator("main table tbody tr")).to_have_count(4)
    assert no_horizontal_overflow(page), "the dossier list scrolls sideways"

    row = page.locator("main table tbody tr").filter(has_text=portfolio.busy.number)
    with page.expect_navigation():
        row.get_by_role("link").click()
    assert path_of(page) == f"/dossiers/{portfolio.busy.pk}/"
    assert no_horizontal_overflow(page), "the dossier page scrolls sideways"
    page.locator("details.progress summary").click()
    expect(page.locator("details.progress .steps li").first).to_be_visible()
    assert no_horizontal_overflow(page), "the opened progress list scrolls sideways"


# --- Keyboard -------------------------------------------------------------------------------


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main_R_X_4(page: Page, portfolio):
    """The first Tab stop is "skip to content"; it becomes visible and moves focus to main."""
    log_in(page, portfolio.user.email)
    page.goto(f"/dossiers/{portfolio.busy.pk}/")
    skip = page.locator("a.skip-link")
    box = skip.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0, "the skip link shows unfocused"
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_have_attribute("href", "#main")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0, "the focused skip link is off screen"

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues inside main, not at the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')")
