"""The document viewer in a real Chromium at 360 px (R-SIG-3, R-X-4): a client opens a PDF from
the dossier's tab and walks its pages with the keyboard alone; the page images load, carry
"Pagina N van M" as their text, fit the narrow screen, and the page passes axe."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.documents import rendering, services
from portal.documents.models import DocumentPreview
from portal.offices.models import Office
from tests.factories import DossierFactory, StaffFactory, UserFactory, grant
from tests.test_preview import pdf_bytes

from .conftest import PHONE, log_in

pytestmark = pytest.mark.browser

SMALL = {**PHONE, "width": 360}


def image_loaded(page: Page) -> bool:
    return page.evaluate(
        "() => { const i = document.querySelector('.preview-page img');"
        " return !!i && i.complete && i.naturalWidth > 0; }"
    )


def no_horizontal_overflow(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [SMALL])
def test_a_client_walks_a_pdfs_pages_with_the_keyboard_at_360_px_R_SIG_3(
    page: Page, axe, shots_dir
):
    """R-SIG-3, R-X-4: "Bekijken" from the Documenten tab; Enter on "Volgende pagina", the
    right and left arrow keys and the "Ga naar pagina" field each turn the page; every page
    image loads with its alt text; at "fit" nothing is wider than the screen."""
    Office.current()
    user = UserFactory(email="lezer@example.test", language="nl")
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    dossier = DossierFactory(number="2026.0143", description="Levering woning Dorpsstraat 14")
    grant(dossier, user.client)
    deed = services.publish_document(
        dossier=dossier,
        kind="document",
        title="Concept-akte",
        file=SimpleUploadedFile("concept-akte.pdf", pdf_bytes(3)),
        by=StaffFactory(),
    )

    log_in(page, user.email)
    page.goto(f"/dossiers/{dossier.pk}/documenten/")
    view = page.get_by_role("link", name=re.compile(r"^Bekijken Concept-akte$"))
    view.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Without a broker the page images are made in the request: ready at once.
    expect(page.locator(".preview-position")).to_have_text("Pagina 1 van 3")
    expect(page.get_by_role("img", name="Pagina 1 van 3")).to_be_visible()
    assert image_loaded(page) and no_horizontal_overflow(page)
    axe("document viewer at 360 px")
    page.screenshot(path=shots_dir / "preview-360.png", full_page=True)

    page.get_by_role("link", name="Volgende pagina").first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("img", name="Pagina 2 van 3")).to_be_visible()
    assert image_loaded(page)

    page.locator("body").focus()
    with page.expect_navigation():
        page.keyboard.press("ArrowRight")  # progressive enhancement: preview.js
    expect(page.get_by_role("img", name="Pagina 3 van 3")).to_be_visible()
    assert image_loaded(page)
    with page.expect_navigation():
        page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("img", name="Pagina 2 van 3")).to_be_visible()

    field = page.get_by_label("Ga naar pagina")
    field.focus()
    field.fill("1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("img", name="Pagina 1 van 3")).to_be_visible()

    page.get_by_role("link", name="150%").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("img", name="Pagina 1 van 3")).to_be_visible()
    assert image_loaded(page)
    # At 150 % the page scrolls sideways inside its frame, not the whole screen.
    assert no_horizontal_overflow(page)
    assert page.evaluate(
        "() => { const f = document.querySelector('.preview-page');"
        " return f.scrollWidth > f.clientWidth; }"
    )
    page.screenshot(path=shots_dir / "preview-360-150.png")
    assert deed.reads.filter(user=user).exists()


@pytest.mark.parametrize("viewport", [SMALL])
def test_a_document_being_prepared_shows_itself_when_ready_R_SIG_3(page: Page, axe):
    """R-SIG-3: while the pages are being made the viewer says so (a status, with a link to try
    again); preview.js looks again every few seconds and shows the first page once it is there.
    A file that cannot be rendered says so plainly, with the download beside it."""
    Office.current()
    user = UserFactory(email="wachter@example.test", language="nl")
    dossier = DossierFactory(number="2026.0144", description="Levering woning Dorpsstraat 16")
    grant(dossier, user.client)
    staff = StaffFactory()
    deed = services.publish_document(
        dossier=dossier,
        kind="document",
        title="Nota van afrekening",
        file=SimpleUploadedFile("nota.pdf", pdf_bytes(2)),
        by=staff,
    )
    # As if the broker held the task: the preview is pending and nobody renders it yet.
    preview = DocumentPreview.objects.create(document=deed)

    log_in(page, user.email)
    page.goto(f"/dossiers/{dossier.pk}/documenten/{deed.pk}/bekijken/")
    status = page.get_by_role("status")
    expect(status).to_contain_text("wordt voorbereid")
    expect(page.get_by_role("link", name="Opnieuw proberen")).to_be_visible()
    axe("document viewer, being prepared")
    page.wait_for_url(re.compile(r"poging=1"), timeout=8_000)  # looked again by itself

    assert rendering.render(preview.pk) == "ready"  # the worker's turn
    expect(page.get_by_role("img", name="Pagina 1 van 2")).to_be_visible(timeout=8_000)

    # A damaged PDF reaches the portal as the client's own upload (the office's seal refuses
    # to publish one, R-SIG-1).
    broken = services.supply_document(
        dossier=dossier,
        title="Beschadigd",
        file=SimpleUploadedFile("kapot.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 200),
        by=user,
    )
    page.goto(f"/dossiers/{dossier.pk}/documenten/{broken.pk}/bekijken/")
    expect(page.get_by_role("alert")).to_have_text(
        "Dit document kan niet worden bekeken; download het om het te openen."
    )
    expect(page.get_by_role("link", name="Download Beschadigd")).to_be_visible()
    axe("document viewer, cannot be viewed")
