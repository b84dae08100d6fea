"""Acties in a real browser (R-HOME-3, R-Q-1..4): from the count in the bar, through the
questionnaire page by page with a stop and a new login in between, to the PDF under
"Door mij aangeleverd"; on a phone-sized screen without sideways scrolling."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.offices.models import Office
from portal.questionnaires import services
from portal.questionnaires.models import Action, QuestionKind
from tests.factories import DossierFactory, StaffFactory, UserFactory, grant
from tests.questionnaire_helpers import make_template

from .conftest import PHONE, log_in

pytestmark = pytest.mark.browser

NAME = "Zoë Łukasz Øystein Ğül"
FILL_IN = re.compile(r"^\s*(Invullen|Fill in)\b")
NEXT = re.compile(r"^\s*(Volgende|Next)\s*$")
SEND = re.compile(r"^\s*(Versturen|Send)\s*$")
PRINT = re.compile(r"^\s*(Printen|Print)\s*$")
OPEN_ONE = re.compile(r"^\s*1 (open actie|open action)\s*$")
LOG_OUT = re.compile(r"^\s*(Uitloggen|Log out)\s*$")


@pytest.fixture
def viewport():
    return {**PHONE, "width": 360}  # the narrowest phone the portal supports


@pytest.fixture
def sent(transactional_db):
    Office.current()
    user = UserFactory(email="zoe@example.test", full_name=NAME)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    dossier = DossierFactory(number="2026.0142", description="Levering woning Dorpsstraat 12")
    grant(dossier, user.client)
    template = make_template(
        [
            [(QuestionKind.SHORT_TEXT, "Volledige naam", "Full name", True, "")],
            [
                (QuestionKind.DATE, "Datum van levering", "Date of transfer", True, ""),
                (QuestionKind.YES_NO, "Hypotheek nodig?", "Mortgage needed?", True, ""),
            ],
        ]
    )
    action = services.send_questionnaire(
        template=template, dossier=dossier, client=user.client, by=StaffFactory()
    )
    return user, dossier, action


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_from_acties_to_the_pdf_under_door_mij_aangeleverd_R_Q_1_to_4(page: Page, sent):
    """R-HOME-3, R-Q-1..4: the bar shows "1 open actie" and, opened, "Invullen"; page 1 is
    filled in and saved with "Volgende"; after logging out and in, "Invullen" resumes on page
    2; the overview is sent; the result offers "Printen"; the count drops to 0; the PDF is
    under "Door mij aangeleverd" and downloads."""
    user, dossier, action = sent
    log_in(page, user.email)
    expect(page.locator("nav .count-badge")).to_have_text("1")
    page.goto(f"/dossiers/{dossier.pk}/")  # Home has the tile, not the bar (issue 14 item 18)
    bar = page.locator(".actions-bar")
    expect(bar.locator("summary")).to_have_text(OPEN_ONE)
    bar.locator("summary").click()
    with page.expect_navigation():
        bar.get_by_role("link", name=FILL_IN).click()
    expect(page.get_by_text(re.compile(r"(Pagina|Page) 1 (van|of) 2"))).to_be_visible()
    assert no_horizontal_overflow(page)
    page.get_by_label(re.compile("Volledige naam|Full name")).fill(NAME)
    with page.expect_navigation():
        page.get_by_role("button", name=NEXT).click()
    expect(page.get_by_text(re.compile(r"(Pagina|Page) 2 (van|of) 2"))).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("button", name=LOG_OUT).click()
    log_in(page, user.email)
    page.goto(f"/dossiers/{dossier.pk}/")
    page.locator(".actions-bar summary").click()
    with page.expect_navigation():
        page.locator(".actions-bar").get_by_role("link", name=FILL_IN).click()
    expect(page.get_by_text(re.compile(r"(Pagina|Page) 2 (van|of) 2"))).to_be_visible()

    page.get_by_label(re.compile("Datum van levering|Date of transfer")).fill("2026-07-01")
    page.get_by_role("radio", name=re.compile(r"^\s*(Nee|No)\s*$")).check()
    with page.expect_navigation():
        page.get_by_role("button", name=NEXT).click()
    expect(page.get_by_role("main")).to_contain_text(NAME)
    with page.expect_navigation():
        page.get_by_role("button", name=SEND).click()

    expect(page.get_by_role("button", name=PRINT)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(NAME)
    # Nothing open any more: no bar, and no badge "0" (issue 14 items 18, 19).
    expect(page.locator(".actions-bar")).to_have_count(0)
    expect(page.locator(".count-badge")).to_have_count(0)
    assert no_horizontal_overflow(page)

    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETED and action.pdf_document_id
    page.goto(f"/dossiers/{dossier.pk}/aangeleverd/")
    link = page.locator(f"a[href$='/documenten/{action.pdf_document_id}/download/']")
    expect(link).to_have_count(1)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_long_answer_limit_is_counted_live_R_Q_2(page: Page, transactional_db):
    """R-Q-2, issue 14 item 6: a long text answer shows "max. 5000 tekens", counts while typing
    (a line break is one), and stops at the limit with the counter marked."""
    Office.current()
    user = UserFactory(email="lang@example.test")
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    dossier = DossierFactory()
    grant(dossier, user.client)
    action = services.send_questionnaire(
        template=make_template([[(QuestionKind.LONG_TEXT, "Opmerkingen", "Remarks", False, "")]]),
        dossier=dossier,
        client=user.client,
        by=StaffFactory(),
    )
    log_in(page, user.email)
    page.goto(f"/acties/{action.pk}/invullen/1/")
    answer = page.get_by_label("Opmerkingen")
    limit = page.locator(".char-counter")
    expect(limit).to_have_text("0 van 5000 tekens")
    answer.click()
    page.keyboard.type("Regel een\nRegel twee")
    expect(limit).to_have_text("20 van 5000 tekens")
    page.keyboard.insert_text("y" * 5000)
    expect(limit).to_have_text("5000 van 5000 tekens — Maximum bereikt")
    assert page.evaluate("document.querySelector('textarea').value.length") == 5000
