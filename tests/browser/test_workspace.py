"""The staff workspace in a real browser (R-OFF-4, R-X-2, R-X-4): a handler logs in with an
authenticator code, answers a client's message from the inbox with an attachment, the inbox
count drops and the client sees the answer; at 1280 px no page scrolls sideways."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from portal.messaging.models import Message
from portal.messaging.services import send_message
from tests.factories import DossierFactory, StaffFactory, StepFactory, UserFactory, grant

from .conftest import DESKTOP, log_in

pytestmark = pytest.mark.browser


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [DESKTOP])
def test_handler_answers_a_message_from_the_inbox_R_OFF_4_R_X_4(page, viewport, tmp_path):
    staff = StaffFactory(email="handler@office.test", full_name="mr. Handler")
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    owner = UserFactory(email="jan@example.test", full_name="Jan de Vries")
    dossier = DossierFactory(
        number="2026.0142", description="Levering woning Dorpsstraat 1", handler=staff
    )
    grant(dossier, owner.client)
    for i in range(4):
        StepFactory(dossier=dossier, position=i, title=f"Stap {i}")
    question = send_message(
        dossier=dossier, sender=owner, subject="Vraag over de akte", body="Klopt de datum?"
    )

    assert log_in(page, staff.email) == "/inloggen/code/"
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    page.get_by_label(re.compile("code", re.IGNORECASE)).first.fill(code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    page.goto("/kantoor/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("1")
    assert no_horizontal_scroll(page)

    page.get_by_role("link", name="Vraag over de akte").click()
    expect(page.locator(".message-body")).to_contain_text("Klopt de datum?")
    attachment = tmp_path / "antwoord.txt"
    attachment.write_text("De datum klopt.\n")
    page.get_by_label(re.compile("^(Bericht|Message)")).fill("Ja, de datum klopt. Zie bijlage.")
    page.locator("#id_files").set_input_files(str(attachment))
    with page.expect_navigation():
        page.locator("main form button[name=send]:not(.visually-hidden)").click()
    expect(page.locator(".messages")).to_be_visible()
    answer = Message.objects.get(reply_to=question)
    assert answer.attachments.get().original_name == "antwoord.txt"

    page.goto("/kantoor/")
    # Nothing waits any more: the heading has no badge "0" (issue 14 item 19).
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^\s*Inbox\s*$"))
    expect(page.locator(".count-badge")).to_have_count(0)
    for url in (
        "/kantoor/",
        f"/kantoor/dossiers/{dossier.pk}/",
        "/kantoor/dossiers/",
        "/kantoor/klanten/",
        f"/kantoor/klanten/{owner.client_id}/",
        "/kantoor/zoeken/?q=jan",
        f"/kantoor/dossiers/{dossier.pk}/logboek/",
        f"/kantoor/dossiers/{dossier.pk}/berichten/{question.pk}/",
    ):
        page.goto(url)
        assert no_horizontal_scroll(page), url

    # The client sees the answer with its attachment.
    page.context.clear_cookies()
    log_in(page, owner.email)
    page.goto(f"/dossiers/{dossier.pk}/berichten/{answer.pk}/")
    expect(page.locator("main")).to_contain_text("Ja, de datum klopt.")
    expect(page.locator("main")).to_contain_text("antwoord.txt")


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}])
def test_workspace_dossier_page_at_360_px_R_X_4(page, viewport):
    staff = StaffFactory(email="handler2@office.test")
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    dossier = DossierFactory(handler=staff)
    log_in(page, staff.email)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    page.get_by_label(re.compile("code", re.IGNORECASE)).first.fill(code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    for url in ("/kantoor/", f"/kantoor/dossiers/{dossier.pk}/", "/kantoor/klanten/"):
        page.goto(url)
        assert no_horizontal_scroll(page), url
