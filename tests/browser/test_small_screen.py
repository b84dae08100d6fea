"""First impressions on a phone and in Dutch (issue 14 items 18, 20, 21; R-HOME-3, R-DOS-4,
R-X-4), measured in a real Chromium at 360 px: the bar of open actions is one line, the dossier
tabs stay one scrollable row with their counts, and the upload dialog's sizes and the file
chooser read as the server writes them, in the page's language."""

from __future__ import annotations

import re

import pytest
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from portal.messaging import services as message_services
from portal.offices.models import Office
from portal.questionnaires import services
from tests.factories import DossierFactory, StaffFactory, UserFactory, grant
from tests.questionnaire_helpers import sized_template

from .conftest import PHONE, log_in

pytestmark = pytest.mark.browser

SMALL = {**PHONE, "width": 360}  # the narrowest phone the portal supports


def make_client(language: str = "nl"):
    Office.current()
    user = UserFactory(email=f"zoe-{language}@example.test", language=language)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    dossier = DossierFactory(number="2026.0142", description="Levering woning Dorpsstraat 12")
    grant(dossier, user.client)
    return user, dossier


@pytest.fixture
def busy(transactional_db):
    """A client with two open actions and an unread message from the office."""
    user, dossier = make_client()
    questionnaire = services.send_questionnaire(
        template=sized_template(2), dossier=dossier, client=user.client, by=StaffFactory()
    )
    upload = services.request_upload(dossier=dossier, client=user.client, title_nl="Kopie ID")
    message_services.send_message(
        dossier=dossier, sender=StaffFactory(), subject="Concept akte", body="Zie de bijlage."
    )
    return user, dossier, questionnaire, upload


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [SMALL])
def test_the_actions_bar_is_one_short_line_on_a_phone_R_HOME_3_R_X_4(page: Page, busy):
    """Issue 14 item 18: at 360 px the bar takes less than 80 px above the page title (it took
    about 280); it is absent on Home; opened, it lists the actions, never the one whose page is
    open."""
    user, dossier, questionnaire, upload = busy
    log_in(page, user.email)
    expect(page.locator(".tiles")).to_be_visible()
    expect(page.locator(".actions-bar")).to_have_count(0)

    page.goto(f"/dossiers/{dossier.pk}/")
    bar = page.locator(".actions-bar")
    expect(bar).to_be_visible()
    expect(bar.locator("summary")).to_have_text(re.compile(r"^\s*2 open acties\s*$"))
    assert bar.bounding_box()["height"] < 80
    title = page.locator("main h1").bounding_box()
    assert title["y"] + title["height"] < 740  # the title is on the first screen
    assert no_horizontal_overflow(page)

    bar.locator("summary").click()  # opens on demand
    expect(bar.locator(f"a[href='/acties/{upload.pk}/uploaden/']")).to_be_visible()
    expect(bar.locator(f"a[href='/acties/{questionnaire.pk}/invullen/']")).to_be_visible()

    page.goto(f"/acties/{upload.pk}/uploaden/")
    expect(bar.locator("summary")).to_have_text(re.compile(r"^\s*1 andere open actie\s*$"))
    bar.locator("summary").click()
    expect(bar.locator("a[href*='/acties/']")).to_have_count(1)
    expect(bar.locator(f"a[href='/acties/{questionnaire.pk}/invullen/']")).to_be_visible()


@pytest.mark.parametrize("viewport", [SMALL])
def test_dossier_tabs_are_one_scrollable_row_on_a_phone_R_DOS_4_R_X_4(page: Page, busy):
    """Issue 14 item 20: at 360 px the four tabs stay in one row (the same top) in a strip that
    scrolls sideways, with their counts and the unread badge visible; the page itself does not
    scroll sideways; the active tab (the last one, Berichten) is scrolled into view."""
    user, dossier, *_ = busy
    log_in(page, user.email)
    page.goto(f"/dossiers/{dossier.pk}/berichten/")
    strip = page.locator("ul.tabs")
    tabs = strip.locator("li")
    expect(tabs).to_have_count(4)
    tops = {round(tabs.nth(i).bounding_box()["y"]) for i in range(4)}
    assert len(tops) == 1, tops
    assert strip.evaluate("s => getComputedStyle(s).overflowX") == "auto"
    assert strip.evaluate("s => s.scrollWidth > s.clientWidth")  # it does scroll at 360 px
    assert no_horizontal_overflow(page)
    for i in range(4):
        expect(tabs.nth(i).locator(".tab-count")).to_have_text(re.compile(r"^\(\d+\)$"))

    active = strip.locator("a[aria-current=page]")
    expect(active).to_contain_text("Berichten")
    box, view = active.bounding_box(), strip.bounding_box()
    assert view["x"] - 1 <= box["x"] and box["x"] + box["width"] <= view["x"] + view["width"] + 1
    expect(active.locator(".tab-unread")).to_be_visible()

    # The strip scrolls back to the first tab, which works as a link.
    strip.evaluate("s => { s.scrollLeft = 0; }")
    with page.expect_navigation():
        tabs.nth(0).locator("a").click()
    expect(strip.locator("a[aria-current=page]")).to_contain_text("Correspondentie")


SIZES = [1, 193, 1023, 1024, 1280, 1792, 5000, 1024 * 1000 + 512, 1536 * 1024]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_upload_dialog_sizes_read_as_the_servers_R_MSG_6_R_X_4(page: Page, language):
    """Issue 14 item 21: the attachments dialog writes sizes exactly as the server's
    filesizeformat does in the page's language ("193 bytes", "1,5 MB" in Dutch; "1.5 MB" in
    English), so the dialog, the form after the upload and the size limit agree."""
    user, dossier = make_client(language)
    log_in(page, user.email)
    page.goto(f"/dossiers/{dossier.pk}/berichten/nieuw/")
    page.locator("#open-attachments").click()
    files = [
        {"name": f"bestand-{size}.txt", "mimeType": "text/plain", "buffer": b"a" * size}
        for size in SIZES
    ]
    page.locator("#dialog-files").set_input_files(files)
    shown = page.locator("#selected-files li .muted")
    expect(shown).to_have_count(len(SIZES))
    with translation.override(language):
        expected = [filesizeformat(size) for size in SIZES]
    assert shown.all_text_contents() == expected
    assert ("1,5\xa0MB" if language == "nl" else "1.5\xa0MB") in expected

    # After the upload the server's own size of the same file stands in the form.
    page.locator("#selected-files li").nth(0).locator("button").click()
    for _ in range(len(SIZES) - 2):
        page.locator("#selected-files li").nth(1).locator("button").click()
    expect(shown).to_have_count(1)
    page.locator("#upload-files").click()
    attached = page.locator("#attachment-list li .muted")
    expect(attached).to_have_count(1)
    expect(attached).to_have_text(expected[1])


@pytest.mark.parametrize("viewport", [SMALL])
def test_the_file_chooser_is_in_the_page_language_R_X_4(page: Page, busy):
    """Issue 14 item 21: the upload request shows a button "Bestanden kiezen" and "Geen bestand
    gekozen" instead of the browser's English "Choose Files"; the real input keeps the focus
    (keyboard) and sends the files; the chosen names are shown."""
    user, dossier, _, upload = busy
    log_in(page, user.email)
    page.goto(f"/acties/{upload.pk}/uploaden/")
    chooser = page.locator(".file-chooser")
    expect(chooser.locator("label.button")).to_have_text("Bestanden kiezen")
    expect(chooser.locator(".file-chooser-names")).to_have_text("Geen bestand gekozen")
    file_input = chooser.locator("input[type=file]")
    assert file_input.bounding_box()["width"] <= 1  # hidden from sight only
    file_input.focus()
    assert file_input.evaluate("i => document.activeElement === i")
    # Named once, by its field's label; the button is that name's visible handle, not a second
    # name read out after it.
    assert page.get_by_label("Kies een of meer bestanden", exact=True).count() == 1
    assert page.get_by_label("Bestanden kiezen").count() == 0

    file_input.set_input_files(
        [{"name": "paspoort.txt", "mimeType": "text/plain", "buffer": b"Kopie paspoort\n"}]
    )
    expect(chooser.locator(".file-chooser-names")).to_have_text("paspoort.txt")
    assert no_horizontal_overflow(page)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^\s*Uploaden\s*$")).click()
    expect(page.get_by_role("main")).to_contain_text("paspoort.txt")


@pytest.mark.parametrize("viewport", [SMALL])
def test_my_details_with_a_long_address_fits_a_phone_R_X_4(page: Page, transactional_db):
    """R-X-4 (reflow), issue 14 first impressions: "Mijn gegevens" at 360 px with an e-mail
    address as long as the demo's (jan@demo.klantportaal.test) scrolled sideways by 11 px; the
    address now wraps inside its column."""
    Office.current()
    user = UserFactory(email="johanna.van.den.berg-de.vries@demo.klantportaal.test")
    log_in(page, user.email)
    page.goto("/mijn-gegevens/")
    expect(page.get_by_text(user.email)).to_be_visible()
    assert no_horizontal_overflow(page)
