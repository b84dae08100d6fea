"""Approval requests in a real browser at 360 px (R-SIG-4): from "Acties" to the request, open
the document with "Bekijken", answer "Akkoord"; a "Niet akkoord" without a remark is refused
with the message beside the field."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.documents import services as document_services
from portal.documents.models import Document
from portal.offices.models import Office
from portal.questionnaires import approvals
from portal.questionnaires.models import Action, ApprovalRequest
from tests.factories import DossierFactory, StaffFactory, UserFactory, grant
from tests.pdfs import minimal_pdf

from .axe import assert_no_axe_violations
from .conftest import PHONE, log_in

pytestmark = pytest.mark.browser

PDF = minimal_pdf("Concept akte")
ANSWER = re.compile(r"^\s*(Beantwoorden|Answer)\b")
VIEW = re.compile(r"^\s*(Bekijken|View)\b")
AGREE = re.compile(r"^\s*(Akkoord|Agree)\s*$")
DISAGREE = re.compile(r"^\s*(Niet akkoord|Disagree)\s*$")


@pytest.fixture
def viewport():
    return {**PHONE, "width": 360}


@pytest.fixture
def sent(transactional_db):
    Office.current()
    user = UserFactory(email="anna@example.test", full_name="Anna Koper")
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    dossier = DossierFactory(number="2026.0300", description="Levering Kerkstraat 1")
    grant(dossier, user.client)
    staff = StaffFactory()
    document = document_services.publish_document(
        dossier=dossier,
        kind=Document.Kind.DOCUMENT,
        title="Concept akte van levering",
        file=ContentFile(PDF, name="concept.pdf"),
        by=staff,
    )
    (action,) = approvals.request_approval(
        dossier=dossier,
        document=document,
        clients=[user.client],
        due_date=timezone.localdate(),
        explanation="Graag vandaag.",
        by=staff,
    )
    return user, action


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_open_the_request_view_the_document_and_approve_R_SIG_4(page: Page, sent):
    user, action = sent
    log_in(page, user.email)
    page.goto("/acties/")
    with page.expect_navigation():
        page.get_by_role("link", name=ANSWER).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Concept akte van levering")
    assert no_horizontal_overflow(page)
    assert_no_axe_violations(page, "approval request")
    # "Bekijken" opens the in-portal viewer (R-SIG-3): the page rendered on the server.
    with page.expect_navigation():
        page.get_by_role("link", name=VIEW).click()
    expect(page).to_have_url(re.compile(r"/documenten/\d+/bekijken/"))
    expect(page.get_by_role("img", name="Pagina 1 van 1")).to_be_visible(timeout=10_000)
    assert no_horizontal_overflow(page)
    page.goto(f"/acties/{action.pk}/akkoord/")

    # "Niet akkoord" without a remark: refused, the message at the field, nothing recorded.
    with page.expect_navigation():
        page.get_by_role("button", name=DISAGREE).click()
    expect(page.get_by_role("alert")).to_contain_text(
        re.compile("Geef aan waarmee u het niet eens bent|Say what you do not agree with")
    )
    assert no_horizontal_overflow(page)
    assert_no_axe_violations(page, "approval request with an error")
    assert not ApprovalRequest.objects.get(action=action).answered_at

    page.get_by_label(re.compile(r"^\s*(Opmerking|Remark)")).fill("Akkoord, dank u.")
    with page.expect_navigation():
        page.get_by_role("button", name=AGREE).click()
    expect(page.locator("#answer")).to_contain_text(re.compile("U bent akkoord gegaan|You agreed"))
    expect(page.get_by_role("button", name=AGREE)).to_have_count(0)
    assert no_horizontal_overflow(page)
    assert_no_axe_violations(page, "approval request answered")
    approval = ApprovalRequest.objects.get(action=action)
    assert approval.answer == "approved" and approval.remark == "Akkoord, dank u."
    with approval.document.file.open("rb") as stored:  # the office's sealed copy (R-SIG-1)
        assert approval.document_sha256 == hashlib.sha256(stored.read()).hexdigest()
    assert Action.objects.get(pk=action.pk).status == Action.Status.COMPLETED
