"""The "Berichten" tab in a real browser (issue 4, R-MSG-1..7): the live counter and the
4,000-character maximum, the attachments dialog step by step as the manual describes it (drag and
drop included), the trash icon, sending, replying, the page without JavaScript, and screenshots at
phone and desktop width.

The UI is Dutch (the compiled .mo files are committed), so the manual's exact words are used.
Data is built directly in the database; each test logs in once and works in one page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from portal.accounts.models import User
from portal.documents.models import Document, StagedUpload
from portal.dossiers.models import Dossier
from portal.messaging.models import Message
from portal.messaging.services import send_message
from portal.offices.models import Office
from tests.factories import DossierFactory, StaffFactory, UserFactory, grant

from .conftest import DEFAULT_TIMEOUT_MS, DESKTOP, log_in

pytestmark = pytest.mark.browser

OFFICE_NAME = "Notariskantoor Van Speijk-Oudenallen"
MAX = 4000
NOTICE_TEXT = (
    "Het maximaal aantal van 4000 karakters voor een bericht is bereikt. "
    "Meer tekst zal worden verwijderd."
)
REFUSED_TYPE = "Dit soort bestand wordt niet geaccepteerd"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256))
LONG_NAME = "Koopovereenkomst-Oudegracht-12-Utrecht-getekend-definitieve-versie-drie.pdf"


@dataclass
class Scene:
    """A client who has logged in before, with one dossier, and a staff member of the office."""

    user: User
    staff: User
    dossier: Dossier

    @property
    def new_url(self) -> str:
        return f"/dossiers/{self.dossier.pk}/berichten/nieuw/"

    @property
    def list_url(self) -> str:
        return f"/dossiers/{self.dossier.pk}/berichten/"


@pytest.fixture
def scene(transactional_db) -> Scene:
    office = Office.current()
    office.name = OFFICE_NAME
    office.save()
    user = UserFactory(email="klant@example.test", full_name="Jan de Vries")
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    dossier = DossierFactory(
        number="2026.10001", description="Levering appartement Oudegracht 12, Utrecht"
    )
    grant(dossier, user.client)
    staff = StaffFactory(email="behandelaar@kantoor.test", full_name="Mr. A. de Notaris")
    return Scene(user, staff, dossier)


@pytest.fixture
def client_page(page: Page, scene: Scene) -> Page:
    """``page``, logged in as the scene's client."""
    assert log_in(page, scene.user.email) == "/"
    return page


# --- helpers --------------------------------------------------------------------------------


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def text_file(name: str, content: str = "Kopie paspoort Jan de Vries\n") -> dict:
    return {"name": name, "mimeType": "text/plain", "buffer": content.encode()}


def counter(page: Page) -> Locator:
    return page.locator("#body-counter")


def body(page: Page) -> Locator:
    return page.get_by_label(re.compile(r"^Bericht\b"))


def subject(page: Page) -> Locator:
    return page.get_by_label(re.compile(r"^Onderwerp\b"))


def notice(page: Page) -> Locator:
    return page.get_by_role("dialog", name="Maximum bereikt")


def upload_dialog(page: Page) -> Locator:
    return page.get_by_role("dialog", name="Bijlagen toevoegen")


def selected(page: Page) -> Locator:
    """The files selected in the dialog (1)."""
    return page.locator("#selected-files > li")


def attachments(page: Page) -> Locator:
    """The uploaded files listed in the message."""
    return page.locator("#attachment-list > li")


def send_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Versturen", exact=True)


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def drop_files(page: Page, target: Locator, files: list[dict]) -> None:
    """A synthetic drag and drop: a DataTransfer built in the page with real ``File`` objects,
    dispatched as dragenter, dragover and drop on ``target``."""
    transfer = page.evaluate_handle(
        """(files) => {
            const transfer = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(f.bytes);
                transfer.items.add(new File([bytes], f.name, {type: f.type}));
            }
            return transfer;
        }""",
        [{"name": f["name"], "type": f["mimeType"], "bytes": list(f["buffer"])} for f in files],
    )
    for event in ("dragenter", "dragover", "drop"):
        target.dispatch_event(event, {"dataTransfer": transfer})
    transfer.dispose()


def upload(page: Page, files: list[dict]) -> None:
    """The short way through the dialog (the steps themselves are tested below): "+ Bijlagen",
    pick the files, "Upload [x] bestanden"; waits until they are listed in the message."""
    before = attachments(page).count()
    page.get_by_role("button", name="+ Bijlagen").click()
    dialog = upload_dialog(page)
    expect(dialog).to_be_visible()
    page.locator("#dialog-files").set_input_files(files)
    expect(selected(page)).to_have_count(len(files))
    label = "Upload 1 bestand" if len(files) == 1 else f"Upload {len(files)} bestanden"
    dialog.get_by_role("button", name=label).click()
    expect(dialog).to_be_hidden()
    expect(attachments(page)).to_have_count(before + len(files))


def pump_until(page: Page, condition, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
    """Let Playwright deliver its events (route handlers run only while the test waits on
    Playwright) until ``condition()`` holds."""
    for _ in range(timeout_ms // 20):
        if condition():
            return
        page.wait_for_timeout(20)
    raise AssertionError("condition not met in time")


def staged_names(scene: Scene) -> list[str]:
    return sorted(
        StagedUpload.objects.filter(dossier=scene.dossier).values_list("original_name", flat=True)
    )


# --- R-MSG-5: the counter and the maximum ---------------------------------------------------


def test_counter_counts_as_typed_R_MSG_5(client_page: Page, scene: Scene):
    """R-MSG-5: "N van 4000 tekens" follows the typing; a line break and an emoji count one
    each, and the server (after a refused send) counts the same text the same."""
    page = client_page
    page.goto(scene.new_url)
    expect(counter(page)).to_have_text("0 van 4000 tekens")

    body(page).click()
    # The manual's example: 24 characters, two of them line breaks (Enter).
    page.keyboard.type("Beste,\n\nHierbij zend ik ")
    expect(counter(page)).to_have_text("24 van 4000 tekens")
    page.keyboard.press("Enter")
    expect(counter(page)).to_have_text("25 van 4000 tekens")
    page.keyboard.type("😀")  # one code point (two UTF-16 units)
    expect(counter(page)).to_have_text("26 van 4000 tekens")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    expect(counter(page)).to_have_text("24 van 4000 tekens")
    page.keyboard.type("\n😀")
    expect(counter(page)).to_have_text("26 van 4000 tekens")

    # Without a subject the server refuses (R-MSG-4), keeps the text and counts it the same,
    # although the browser sent the line breaks as CR LF.
    with page.expect_navigation():
        send_button(page).click()
    expect(page.locator("#subject-errors")).to_have_text("Vul een onderwerp in.")
    expect(body(page)).to_have_value("Beste,\n\nHierbij zend ik \n😀")
    expect(counter(page)).to_have_text("26 van 4000 tekens")
    assert not Message.objects.exists()


def test_notice_at_maximum_R_MSG_5(client_page: Page, scene: Scene):
    """R-MSG-5: reaching 4,000 characters shows "Maximum bereikt" with its text and "OK"; OK
    closes it; more text is removed, the text stays at exactly 4,000 and the server takes it
    (an emoji as the 4,000th character counts one, in the browser and on the server)."""
    page = client_page
    page.goto(scene.new_url)
    subject(page).fill("Lange toelichting")
    body(page).fill("a" * (MAX - 2))
    expect(counter(page)).to_have_text("3998 van 4000 tekens")
    expect(notice(page)).to_be_hidden()

    body(page).press("End")
    page.keyboard.type("b")
    expect(counter(page)).to_have_text("3999 van 4000 tekens")
    expect(notice(page)).to_be_hidden()
    page.keyboard.type("😀")
    expect(notice(page)).to_be_visible()
    expect(notice(page).get_by_role("heading")).to_have_text("Maximum bereikt")
    expect(notice(page)).to_contain_text(NOTICE_TEXT)
    expect(counter(page)).to_have_text("4000 van 4000 tekens")
    notice(page).get_by_role("button", name="OK").click()
    expect(notice(page)).to_be_hidden()
    expect(body(page)).to_be_focused()

    # Typing on: the extra character is removed again, with the notice.
    page.keyboard.type("c")
    expect(notice(page)).to_be_visible()
    notice(page).get_by_role("button", name="OK").click()
    expect(notice(page)).to_be_hidden()
    full = "a" * (MAX - 2) + "b😀"
    expect(body(page)).to_have_value(full)
    expect(counter(page)).to_have_text("4000 van 4000 tekens")

    with page.expect_navigation():
        send_button(page).click()
    assert path_of(page) == scene.list_url
    assert Message.objects.get().body == full


def test_paste_beyond_maximum_is_cut_R_MSG_5(client_page: Page, scene: Scene):
    """R-MSG-5: pasting 4,100 characters after some text keeps the first 4,000 and shows the
    notice."""
    page = client_page
    page.goto(scene.new_url)
    body(page).click()
    page.keyboard.type("Beste,\n")
    pasted = "x" * 4100
    page.keyboard.insert_text(pasted)  # an "input" of the whole text at once, as a paste
    expect(notice(page)).to_be_visible()
    expect(notice(page)).to_contain_text(NOTICE_TEXT)
    expect(counter(page)).to_have_text("4000 van 4000 tekens")
    expect(body(page)).to_have_value(("Beste,\n" + pasted)[:MAX])
    page.keyboard.press("Enter")  # on "OK", which has the focus
    expect(notice(page)).to_be_hidden()
    assert page.evaluate("document.getElementById('id_body').value.length") == MAX


def test_paste_in_the_middle_keeps_the_text_written_before_R_MSG_5(client_page: Page, scene: Scene):
    """R-MSG-5: a paste in the middle of a long text is cut to what still fits; the text that
    was there before, its end included, is kept, and the caret stays after the pasted part."""
    page = client_page
    page.goto(scene.new_url)
    written = "a" * 3990 + "EINDE"
    body(page).fill(written)
    page.evaluate("document.getElementById('id_body').setSelectionRange(10, 10)")
    page.keyboard.insert_text("b" * 100)
    expect(notice(page)).to_be_visible()
    page.keyboard.press("Enter")
    expected = written[:10] + "b" * 5 + written[10:]
    expect(body(page)).to_have_value(expected)
    expect(counter(page)).to_have_text("4000 van 4000 tekens")
    assert page.evaluate("document.getElementById('id_body').selectionStart") == 15


def test_subject_limit_is_shown_and_reached_visibly_R_MSG_4(client_page: Page, scene: Scene):
    """R-MSG-4, issue 14 item 6: the subject says "max. 200 tekens" before anything is typed,
    counts while typing, and a paste beyond 200 stops at 200 with the counter marked "Maximum
    bereikt" (announced once to a screen reader), so the client sees why."""
    page = client_page
    page.goto(scene.new_url)
    subject_counter = page.locator("#subject-counter")
    expect(subject_counter).to_have_text("0 van 200 tekens")
    subject(page).click()
    page.keyboard.type("Vraag over de akte")
    expect(subject_counter).to_have_text("18 van 200 tekens")
    expect(subject_counter).not_to_have_class(re.compile(r"\bat-max\b"))

    page.keyboard.insert_text("x" * 250)  # as a paste
    expect(subject(page)).to_have_value(("Vraag over de akte" + "x" * 250)[:200])
    expect(subject_counter).to_have_text("200 van 200 tekens — Maximum bereikt")
    expect(subject_counter).to_have_class(re.compile(r"\bat-max\b"))
    expect(page.get_by_role("status").filter(has_text="Maximum bereikt")).to_have_count(1)


def test_subject_limit_without_javascript_is_a_hint_R_MSG_4(browser, live_server, scene: Scene):
    """R-MSG-4, issue 14 item 6: without JavaScript the limit is still written at the field."""
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    try:
        log_in(page, scene.user.email)
        page.goto(scene.new_url)
        expect(page.locator("#subject-counter")).to_have_text("max. 200 tekens")
    finally:
        context.close()


# --- R-MSG-6: the attachments dialog --------------------------------------------------------


def test_drop_two_files_onto_dialog_R_MSG_6(client_page: Page, scene: Scene):
    """R-MSG-6: two files dragged onto the dialog are both listed (1), then uploaded."""
    page = client_page
    page.goto(scene.new_url)
    page.get_by_role("button", name="+ Bijlagen").click()
    dialog = upload_dialog(page)
    expect(dialog).to_be_visible()

    drop_files(page, page.locator("#dropzone"), [pdf("a.pdf"), text_file("b.txt")])
    expect(selected(page)).to_have_count(2)
    expect(selected(page).locator(".attachment-name")).to_have_text(["a.pdf", "b.txt"])
    expect(page.locator("#dropzone")).not_to_have_class(re.compile(r"is-dragging"))
    dialog.get_by_role("button", name="Upload 2 bestanden").click()
    expect(dialog).to_be_hidden()
    expect(attachments(page).locator(".attachment-name")).to_have_text(["a.pdf", "b.txt"])
    assert staged_names(scene) == ["a.pdf", "b.txt"]


def test_dialog_steps_1_to_5_R_MSG_6(client_page: Page, scene: Scene):
    """R-MSG-6, the manual's steps: "+ Bijlagen" opens the dialog; "Bladeren" selects a file;
    the selection is listed (1); "+ Meer toevoegen" (2) adds more; the cross (4) removes one;
    "Upload [x] bestanden" (3) counts and uploads with a progress bar per file; "Annuleer" (5)
    closes without adding anything."""
    page = client_page
    page.goto(scene.new_url)
    page.get_by_role("button", name="+ Bijlagen").click()
    dialog = upload_dialog(page)
    expect(dialog).to_be_visible()
    upload_button = dialog.locator("#upload-files")
    add_more = dialog.get_by_role("button", name="+ Meer toevoegen")
    expect(upload_button).to_have_text("Upload 0 bestanden")
    expect(upload_button).to_be_disabled()
    expect(add_more).to_be_hidden()

    with page.expect_file_chooser() as chooser:
        dialog.get_by_role("button", name="Bladeren").click()
    assert chooser.value.is_multiple()
    chooser.value.set_files(pdf("akte.pdf"))
    expect(selected(page).locator(".attachment-name")).to_have_text(["akte.pdf"])  # (1)
    expect(upload_button).to_have_text("Upload 1 bestand")
    expect(upload_button).to_be_enabled()

    with page.expect_file_chooser() as chooser:  # (2)
        add_more.click()
    chooser.value.set_files([text_file("paspoort.txt"), text_file("vergeten.txt")])
    expect(selected(page).locator(".attachment-name")).to_have_text(
        ["akte.pdf", "paspoort.txt", "vergeten.txt"]
    )
    expect(upload_button).to_have_text("Upload 3 bestanden")

    selected(page).filter(has_text="vergeten.txt").get_by_role("button").click()  # (4)
    expect(selected(page).locator(".attachment-name")).to_have_text(["akte.pdf", "paspoort.txt"])
    expect(upload_button).to_have_text("Upload 2 bestanden")  # (3)

    # Hold the uploads to see the progress of each file: one request per file, in turn.
    held = []

    def hold(route):
        held.append(route)

    page.route("**/berichten/bijlagen/", hold)
    upload_button.click()
    first = selected(page).filter(has_text="akte.pdf")
    second = selected(page).filter(has_text="paspoort.txt")
    expect(first.locator("progress")).to_be_visible()
    expect(first.locator(".upload-status")).to_have_text("Bezig met uploaden…")
    expect(second.locator("progress")).to_be_hidden()
    expect(upload_button).to_be_disabled()
    expect(add_more).to_be_hidden()
    pump_until(page, lambda: len(held) == 1)
    held.pop().continue_()
    expect(second.locator("progress")).to_be_visible()
    expect(first.locator(".upload-status")).to_have_text("Geüpload")
    pump_until(page, lambda: len(held) == 1)
    held.pop().continue_()
    page.unroute("**/berichten/bijlagen/")
    expect(dialog).to_be_hidden()
    expect(attachments(page).locator(".attachment-name")).to_have_text(["akte.pdf", "paspoort.txt"])

    # (5) "Annuleer": the chosen file is not added, and the dialog opens empty again.
    page.get_by_role("button", name="+ Bijlagen").click()
    expect(dialog).to_be_visible()
    expect(selected(page)).to_have_count(0)
    with page.expect_file_chooser() as chooser:
        dialog.get_by_role("button", name="Bladeren").click()
    chooser.value.set_files(pdf("niet-doen.pdf"))
    expect(selected(page)).to_have_count(1)
    dialog.get_by_role("button", name="Annuleer").click()
    expect(dialog).to_be_hidden()
    expect(attachments(page)).to_have_count(2)
    page.get_by_role("button", name="+ Bijlagen").click()
    expect(selected(page)).to_have_count(0)
    expect(dialog.locator("#upload-files")).to_have_text("Upload 0 bestanden")
    page.keyboard.press("Escape")  # behaves as "Annuleer"
    expect(dialog).to_be_hidden()
    assert staged_names(scene) == ["akte.pdf", "paspoort.txt"]


def test_refused_file_shows_reason_others_upload_R_MSG_6(client_page: Page, scene: Scene):
    """R-MSG-6 with the upload checks (R-X-3): a refused file shows why in the dialog; the
    other files are uploaded and what was typed is kept."""
    page = client_page
    page.goto(scene.new_url)
    subject(page).fill("Stukken")
    body(page).fill("Zie bijlagen.")
    page.get_by_role("button", name="+ Bijlagen").click()
    dialog = upload_dialog(page)
    drop_files(
        page,
        page.locator("#dropzone"),
        [
            pdf("akte.pdf"),
            {"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": EXE},
            text_file("paspoort.txt"),
        ],
    )
    dialog.get_by_role("button", name="Upload 3 bestanden").click()
    refused = selected(page).filter(has_text="setup.exe")
    expect(refused.locator(".upload-status")).to_contain_text(REFUSED_TYPE)
    expect(refused).to_have_class(re.compile(r"upload-refused"))
    expect(dialog).to_be_visible()  # the reason stays readable
    expect(selected(page)).to_have_count(1)  # the uploaded ones left the selection
    expect(attachments(page).locator(".attachment-name")).to_have_text(["akte.pdf", "paspoort.txt"])
    dialog.get_by_role("button", name="Annuleer").click()
    expect(dialog).to_be_hidden()
    expect(attachments(page)).to_have_count(2)
    expect(subject(page)).to_have_value("Stukken")
    expect(body(page)).to_have_value("Zie bijlagen.")
    assert staged_names(scene) == ["akte.pdf", "paspoort.txt"]


def test_trash_icon_removes_uploaded_file_R_MSG_6(client_page: Page, scene: Scene):
    """R-MSG-6: each uploaded file is listed with a trash icon that removes it, on the server
    too; after a refused send (R-MSG-4) the files are still there and the trash icon works."""
    page = client_page
    page.goto(scene.new_url)
    upload(page, [pdf("akte.pdf"), text_file("paspoort.txt"), text_file("extra.txt")])
    trash = attachments(page).get_by_role("button", name=re.compile(r"^Verwijder"))
    expect(trash).to_have_count(3)
    expect(trash.locator("svg")).to_have_count(3)

    attachments(page).filter(has_text="extra.txt").get_by_role("button").click()
    expect(attachments(page).locator(".attachment-name")).to_have_text(["akte.pdf", "paspoort.txt"])
    assert staged_names(scene) == ["akte.pdf", "paspoort.txt"]

    # Send without a subject: refused, the text and the uploaded files are kept (R-MSG-4).
    body(page).fill("Hierbij de stukken.")
    with page.expect_navigation():
        send_button(page).click()
    expect(page.locator("#subject-errors")).to_be_visible()
    expect(body(page)).to_have_value("Hierbij de stukken.")
    expect(attachments(page).locator(".attachment-name")).to_have_text(["akte.pdf", "paspoort.txt"])
    # The trash icon of a file listed by the server works the same.
    url = page.url
    attachments(page).filter(has_text="akte.pdf").get_by_role(
        "button", name="Verwijder akte.pdf"
    ).click()
    expect(attachments(page).locator(".attachment-name")).to_have_text(["paspoort.txt"])
    assert page.url == url  # removed in place, no reload
    assert staged_names(scene) == ["paspoort.txt"]


def test_enter_in_subject_does_not_remove_an_attachment_R_MSG_6(client_page: Page, scene: Scene):
    """R-MSG-6: pressing Enter in "Onderwerp" submits the message (the form's default button is
    "Versturen"), it never presses the first attachment's trash button."""
    page = client_page
    page.goto(scene.new_url)
    upload(page, [pdf("akte.pdf"), text_file("paspoort.txt")])
    body(page).fill("Hierbij de stukken.")
    subject(page).fill("Stukken levering")
    with page.expect_navigation():
        subject(page).press("Enter")
    assert path_of(page) == scene.list_url
    message = Message.objects.get()
    assert sorted(message.attachments.values_list("original_name", flat=True)) == [
        "akte.pdf",
        "paspoort.txt",
    ]


# --- Sending, the list, replying (R-MSG-1..4, R-MSG-7) --------------------------------------


def test_send_with_two_attachments_R_MSG_4_R_MSG_1_R_MSG_7(client_page: Page, scene: Scene):
    """R-MSG-4/6: "Nieuw bericht" with subject, text and two attachments, "Versturen"; R-MSG-1:
    listed marked "Aan"; R-MSG-7: the files are under "Door mij aangeleverd"."""
    page = client_page
    page.goto(scene.list_url)
    expect(page.get_by_text("Er zijn nog geen berichten in dit dossier.")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Nieuw bericht").click()
    assert path_of(page) == scene.new_url
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw bericht")
    expect(page.locator(".message-to")).to_contain_text(OFFICE_NAME)

    subject(page).fill("kopie stukken")
    body(page).fill("Beste,\n\nHierbij zend ik de stukken.")
    upload(page, [pdf("koopakte.pdf"), text_file("paspoort.txt")])
    with page.expect_navigation():
        send_button(page).click()

    assert path_of(page) == scene.list_url
    expect(page.get_by_role("status")).to_contain_text("Uw bericht is verstuurd.")
    rows = page.locator("table.message-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".direction")).to_have_text(re.compile(r"^\W*Aan\W*$"))
    expect(rows.first).to_contain_text("kopie stukken")
    expect(rows.first).to_contain_text("2 bestanden")
    expect(rows.first.locator(".unread-badge")).to_have_count(0)  # one's own: never unread

    message = Message.objects.get()
    assert message.direction == Message.Direction.OUTGOING
    assert message.body == "Beste,\n\nHierbij zend ik de stukken."
    documents = list(message.attachments.order_by("original_name"))
    assert [d.original_name for d in documents] == ["koopakte.pdf", "paspoort.txt"]
    assert {d.kind for d in documents} == {Document.Kind.SUPPLIED}
    assert not StagedUpload.objects.exists()

    with page.expect_navigation():
        page.locator(".tabs").get_by_role("link", name=re.compile(r"^Door mij aangeleverd")).click()
    supplied = page.locator("table.document-table tbody tr")
    expect(supplied).to_have_count(2)
    expect(page.locator("table.document-table")).to_contain_text("koopakte.pdf")
    expect(page.locator("table.document-table")).to_contain_text("paspoort.txt")


def test_open_with_one_click_and_reply_R_MSG_2_R_MSG_3(client_page: Page, scene: Scene):
    """R-MSG-2: one click anywhere on an office message's row opens it and marks it read (the
    unread marker and the tab's unread count go); R-MSG-3: "Beantwoorden" shows the original
    below the form and sends the reply with an attachment."""
    original = send_message(
        dossier=scene.dossier,
        sender=scene.staff,
        subject="Concept akte",
        body="Geachte heer De Vries,\n\nBijgaand het concept van de akte.",
    )
    page = client_page
    page.goto(scene.list_url)
    tab = page.locator(".tabs").get_by_role("link", name=re.compile(r"^Berichten"))
    expect(tab.locator(".tab-unread")).to_contain_text("1")
    row = page.locator("table.message-table tbody tr").filter(has_text="Concept akte")
    expect(row).to_have_class(re.compile(r"\bis-unread\b"))
    expect(row.locator(".unread-badge")).to_be_visible()
    expect(row.locator(".direction")).to_contain_text("Van")

    # A real click on the date cell, not on the link: the whole row opens the message.
    box = row.locator("td").nth(2).bounding_box()
    assert box
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert path_of(page) == f"{scene.list_url}{original.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Concept akte")
    expect(page.locator(".message-body")).to_contain_text("Bijgaand het concept van de akte.")

    page.go_back()
    page.reload()
    expect(row.locator(".unread-badge")).to_have_count(0)
    expect(row).to_have_class(re.compile(r"\bis-read\b"))
    expect(tab.locator(".tab-unread")).to_have_count(0)

    with page.expect_navigation():
        row.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Beantwoorden").click()
    assert path_of(page) == f"{scene.list_url}{original.pk}/beantwoorden/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Beantwoorden")
    expect(subject(page)).to_have_value("Re: Concept akte")
    shown = page.get_by_role("region", name="Oorspronkelijk bericht")
    expect(shown).to_contain_text("Concept akte")
    expect(shown).to_contain_text("Bijgaand het concept van de akte.")
    form_box = page.locator("#message-form").bounding_box()
    shown_box = shown.bounding_box()
    assert form_box and shown_box and shown_box["y"] >= form_box["y"] + form_box["height"]

    body(page).fill("Dank u, akkoord.")
    upload(page, [pdf("getekend.pdf")])
    with page.expect_navigation():
        send_button(page).click()
    assert path_of(page) == scene.list_url
    rows = page.locator("table.message-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Re: Concept akte")  # newest first
    expect(rows.first.locator(".direction")).to_contain_text("Aan")
    reply = Message.objects.get(reply_to=original)
    assert reply.direction == Message.Direction.OUTGOING
    assert reply.body == "Dank u, akkoord."
    assert list(reply.attachments.values_list("original_name", flat=True)) == ["getekend.pdf"]


# --- Without JavaScript (R-MSG-6) -----------------------------------------------------------


def test_without_javascript_plain_file_input_R_MSG_6(browser, live_server, scene: Scene):
    """R-MSG-6 without JavaScript: the dialog's button is hidden and the plain multiple-file
    input sends the files; a refused send keeps them; the trash button removes one."""
    context = browser.new_context(
        viewport=DESKTOP, base_url=live_server.url, java_script_enabled=False
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        page = context.new_page()
        assert log_in(page, scene.user.email) == "/"
        page.goto(scene.new_url)
        expect(page.get_by_role("button", name="+ Bijlagen")).to_be_hidden()
        files = page.get_by_label("Bestanden toevoegen")
        expect(files).to_be_visible()
        files.set_input_files([pdf("akte.pdf"), text_file("paspoort.txt"), text_file("weg.txt")])
        body(page).fill("Zonder JavaScript.")
        with page.expect_navigation():
            send_button(page).click()  # no subject: refused, files kept
        expect(page.locator("#subject-errors")).to_be_visible()
        expect(attachments(page).locator(".attachment-name")).to_have_text(
            ["akte.pdf", "paspoort.txt", "weg.txt"]
        )
        with page.expect_navigation():
            attachments(page).filter(has_text="weg.txt").get_by_role("button").click()
        expect(attachments(page).locator(".attachment-name")).to_have_text(
            ["akte.pdf", "paspoort.txt"]
        )
        expect(page.locator(".errorlist")).to_have_count(0)  # removing is not sending
        expect(body(page)).to_have_value("Zonder JavaScript.")

        subject(page).fill("Stukken")
        with page.expect_navigation():
            send_button(page).click()
        assert path_of(page) == scene.list_url
        message = Message.objects.get()
        assert sorted(message.attachments.values_list("original_name", flat=True)) == [
            "akte.pdf",
            "paspoort.txt",
        ]
        assert not StagedUpload.objects.exists()
    finally:
        context.close()


# --- Screenshots at 360 px and 1280 px (R-X-4) ----------------------------------------------


def test_compose_screenshots_360_and_1280_R_MSG_6_R_X_4(client_page: Page, scene: Scene, shots_dir):
    """The compose page with attachments listed, at 360 px and 1280 px, saved as artefacts; at
    360 px nothing scrolls sideways (the page, the open dialog, the message list)."""
    page = client_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(scene.new_url)
    subject(page).fill("kopie stukken")
    body(page).fill("Beste,\n\nHierbij zend ik de stukken voor de levering.")
    upload(page, [pdf(LONG_NAME), text_file("paspoort.txt")])
    assert no_horizontal_scroll(page), "the compose page scrolls sideways at 360 px"
    page.screenshot(path=str(shots_dir / "message-compose-360.png"), full_page=True)

    page.get_by_role("button", name="+ Bijlagen").click()
    drop_files(page, page.locator("#dropzone"), [pdf("Nog-een-" + LONG_NAME), text_file("b.txt")])
    expect(selected(page)).to_have_count(2)
    assert no_horizontal_scroll(page), "the attachments dialog scrolls sideways at 360 px"
    box = upload_dialog(page).bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    page.screenshot(path=str(shots_dir / "message-dialog-360.png"))
    upload_dialog(page).get_by_role("button", name="Annuleer").click()

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(attachments(page)).to_have_count(2)
    page.screenshot(path=str(shots_dir / "message-compose-1280.png"), full_page=True)

    with page.expect_navigation():
        send_button(page).click()
    page.set_viewport_size({"width": 360, "height": 740})
    expect(page.locator("table.message-table tbody tr")).to_have_count(1)
    assert no_horizontal_scroll(page), "the message list scrolls sideways at 360 px"
