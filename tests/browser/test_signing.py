"""Signing a document in a real browser at 360 px (R-SIG-5): log in with the SMS code, open the
signing request from "Acties", tick "Ik heb het document gelezen", ask for a NEW code by SMS
(the login's does not sign), sign; the signed PDF is under "Door mij aangeleverd"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.offices.models import Office
from portal.questionnaires import signing
from portal.questionnaires.models import SigningRequest
from tests.factories import DossierFactory, StaffFactory, UserFactory, grant
from tests.signing_helpers import publish_pdf, with_sms

from .conftest import log_in

pytestmark = pytest.mark.browser

SIGN_BUTTON = re.compile(r"^\s*(Ondertekenen|Sign)\s*$")
SIGN_LINK = re.compile(r"^\s*(Ondertekenen|Sign) Volmacht levering")


def last_code() -> str:
    files = sorted(Path(settings.SMS_DIR).glob("*.sms"))
    match = re.search(r"\b(\d{6})\b", files[-1].read_text())
    assert match is not None
    return match.group(1)


@pytest.fixture
def viewport():
    return {"width": 360, "height": 740}


@pytest.fixture
def sms_dir(tmp_path, settings):
    settings.SMS_DIR = tmp_path / "sms"
    settings.SMS_BACKEND = "outbox"
    settings.OTP_THROTTLE_FACTOR = 0


@pytest.fixture
def asked(transactional_db, sms_dir):
    Office.current()
    user = UserFactory(email="anna@example.test", full_name="Anna de Vries")
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    with_sms(user)
    dossier = DossierFactory(number="2026.0201", description="Levering Dorpsstraat 1")
    grant(dossier, user.client)
    request = signing.request_signatures(
        document=publish_pdf(dossier), accounts=[user], explanation="Graag ondertekenen.",
        by=StaffFactory(),
    )  # fmt: skip
    return user, dossier, request


def test_sign_with_a_fresh_sms_code_at_360_px_R_SIG_5(page: Page, asked):
    user, dossier, request = asked
    log_in(page, user.email)
    login_code = last_code()
    page.locator("input[name=code]").fill(login_code)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Inloggen|Log in")).click()

    page.goto("/acties/")
    with page.expect_navigation():
        page.get_by_role("link", name=SIGN_LINK).first.click()
    expect(page.get_by_role("link", name=re.compile("Bekijken|View"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The login's code does not sign.
    page.get_by_label(re.compile("Ik heb het document gelezen|I have read the document")).check()
    page.locator("input[name=code]").fill(login_code)
    with page.expect_navigation():
        page.get_by_role("button", name=SIGN_BUTTON).click()
    expect(page.locator("#sign-error")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("code per sms|code by SMS")).click()
    page.get_by_label(re.compile("Ik heb het document gelezen|I have read the document")).check()
    page.locator("input[name=code]").fill(last_code())
    with page.expect_navigation():
        page.get_by_role("button", name=SIGN_BUTTON).click()
    expect(
        page.get_by_text(re.compile("U heeft het document ondertekend|You have signed"))
    ).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    request.refresh_from_db()
    assert request.status == SigningRequest.Status.COMPLETED
    assert request.signed_document is not None
    page.goto(f"/dossiers/{dossier.pk}/aangeleverd/")
    expect(
        page.get_by_role("cell", name=re.compile("Ondertekend: Volmacht levering")).first
    ).to_be_visible()
