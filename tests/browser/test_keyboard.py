"""Keyboard-only walks (issue 15, "Tests that must exist"; WCAG 2.1.1 keyboard, 2.4.7 focus
visible, 2.4.11 focus not obscured): log in with a password, log in with an authenticator code,
send a message with an attachment (the dialog's "Bladeren" opens the file chooser from a key
press), fill in and save a questionnaire page. Only keys: Tab, Shift+Tab, Enter, Space and
typed text, never a click. At every stop the focused element shows a focus indicator (an
outline of at least 2 px) and is not covered by anything (the point at its centre is it).

Navigation between pages by address (``page.goto``) stands for following a link or a bookmark;
the passkey walk belongs to the passkey tests."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from portal.messaging.models import Message
from portal.questionnaires.models import Action
from tests.factories import PASSWORD

from .conftest import DESKTOP
from .test_wcag22 import FOCUS_COVERED, NARROW, Scene, current_code, make_scene

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(transactional_db) -> Scene:
    return make_scene()


#: The focused element, its accessible name (roughly: aria-label, its label, its text) and
#: whether a focus indicator shows (on a visually hidden file input: on the button for it).
FOCUSED = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {name: '', tag: 'BODY', indicator: false};
  const shown = el.classList.contains('file-chooser-input') ? el.nextElementSibling : el;
  const style = getComputedStyle(shown);
  // A date field's own calendar button (inside the browser's widget, after the year) has the
  // focus without the field matching :focus; the browser draws that button's focus ring.
  const pickerButton = el.type === 'date' && !el.matches(':focus');
  const outline = pickerButton
    || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2);
  const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
  const name = (el.getAttribute('aria-label') || label || el.textContent || el.value || '')
    .replace(/\s+/g, ' ').trim();
  return {name, tag: el.tagName, type: el.type || '', indicator: outline};
}"""


def focus(page: Page, name: str | re.Pattern, *, back: bool = False, limit: int = 60) -> dict:
    """Press Tab (or Shift+Tab) until the element named ``name`` has the focus; every element
    passed on the way shows its focus and is not covered."""
    pattern = name if isinstance(name, re.Pattern) else re.compile(rf"^{re.escape(name)}")
    state = page.evaluate(FOCUSED)
    passed = [state["name"]]
    for _ in range(limit):
        if pattern.search(state["name"]):
            return state
        page.keyboard.press("Shift+Tab" if back else "Tab")
        state = page.evaluate(FOCUSED)
        passed.append(state["name"])
        assert state["indicator"], f"no visible focus on {state} after {passed}"
        assert page.evaluate(FOCUS_COVERED) is None, page.evaluate(FOCUS_COVERED)
    raise AssertionError(f"{name!r} not reached with the keyboard; last: {state}")


def keyboard_log_in(page: Page, email: str) -> None:
    page.goto("/inloggen/")
    state = page.evaluate(FOCUSED)
    assert state["type"] == "email", state  # the e-mail field has the focus on arrival
    page.keyboard.type(email)
    focus(page, re.compile(r"^(Wachtwoord|Password):?$"))
    page.keyboard.type(PASSWORD)
    focus(page, "Wachtwoord tonen")  # the toggle is on the way, and works with Space
    page.keyboard.press("Space")
    expect(page.locator("input[name=password]")).to_have_attribute("type", "text")
    focus(page, re.compile(r"^(Inloggen|Log in)$"))
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["360", "1280"])
def test_log_in_with_a_password_by_keyboard_only(page: Page, scene: Scene, viewport):
    """Issue 15 (keyboard-only walk), R-ACC-4, WCAG 2.1.1/2.4.7: e-mail, password, the
    show-password toggle, "Inloggen": the client lands on Home."""
    keyboard_log_in(page, scene.user.email)
    assert urlsplit(page.url).path == "/"
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["360", "1280"])
def test_log_in_with_an_authenticator_code_by_keyboard_only(page: Page, scene: Scene, viewport):
    """Issue 15 (keyboard-only walk), R-ME-2: after the password the code field has the focus;
    the code typed and Enter open the workspace."""
    keyboard_log_in(page, scene.staff.email)
    assert urlsplit(page.url).path == "/inloggen/code/"
    state = page.evaluate(FOCUSED)
    assert state["name"].startswith("Code") and state["indicator"], state
    page.keyboard.type(current_code(scene.device))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path.startswith("/kantoor/")


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["360", "1280"])
def test_send_a_message_with_an_attachment_by_keyboard_only(
    page: Page, scene: Scene, viewport, tmp_path
):
    """Issue 15 (keyboard-only walk), R-MSG-2/3, WCAG 2.5.7: subject, text, "+ Bijlagen"
    (Enter opens the dialog with "Bladeren" focused), Enter on "Bladeren" opens the file
    chooser, "Upload 1 bestand", then "Versturen": the message is stored with its attachment."""
    # Intercept file choosers from the start: turned on by the first listener, asynchronously.
    page.on("filechooser", lambda chooser: None)
    keyboard_log_in(page, scene.user.email)
    page.goto(f"/dossiers/{scene.dossier.pk}/berichten/nieuw/")
    focus(page, "Onderwerp")
    page.keyboard.type("Kopie paspoort")
    focus(page, "Bericht")
    page.keyboard.type("Hierbij de kopie van mijn paspoort.")
    focus(page, "+ Bijlagen")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Bijlagen toevoegen")
    expect(dialog).to_be_visible()
    focus(page, "Bladeren")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(
        {"name": "paspoort.txt", "mimeType": "text/plain", "buffer": b"Kopie paspoort\n"}
    )
    focus(page, "Upload 1 bestand")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator(".attachment-name")).to_have_text("paspoort.txt")
    focus(page, "Versturen")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    message = Message.objects.get(subject="Kopie paspoort")
    assert message.author == scene.user
    assert [a.original_name for a in message.attachments.all()] == ["paspoort.txt"]


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["360", "1280"])
def test_fill_in_and_save_a_questionnaire_page_by_keyboard_only(page: Page, scene: Scene, viewport):
    """Issue 15 (keyboard-only walk), R-Q-2: the first page's questions typed, "Volgende"
    saves them; page 2 follows."""
    keyboard_log_in(page, scene.user.email)
    action = scene.action
    page.goto(f"/acties/{action.pk}/invullen/1/")
    focus(page, re.compile(r"^Naam"))
    page.keyboard.type("Jan de Vries")
    focus(page, re.compile(r"^Geboortedatum"))
    page.keyboard.type("04121980")  # the browser's date field: month, day, year (en-US)
    assert page.evaluate("document.activeElement.value") == "1980-04-12"
    focus(page, re.compile(r"^E-mailadres"))
    page.keyboard.type("jan@example.test")
    focus(page, "Volgende")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == f"/acties/{action.pk}/invullen/2/"
    action = Action.objects.get(pk=action.pk)
    answers = list(action.answers.values())
    assert "Jan de Vries" in answers and "jan@example.test" in answers
    assert "1980-04-12" in answers
