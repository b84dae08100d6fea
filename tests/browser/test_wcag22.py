"""WCAG 2.2 AA in a real browser (issue 15 item 4, R-X-4): 2.5.8 target size on the main page
types at 360 and 1280 px, 2.4.11 focus not obscured by the workspace's sticky section nav, 3.3.8
the show-password toggle and pasting, 2.5.7 the attachment dialog's "Bladeren" next to its drop
zone. The keyboard-only walks are in test_keyboard.py; the server-side checks in
tests/test_wcag22_pages.py and tests/test_accessibility_statement.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from portal.accounts.models import User
from portal.dossiers.models import Dossier
from portal.messaging.services import send_message
from portal.offices.models import Office
from portal.questionnaires import services as actions
from portal.questionnaires.models import Action
from tests.factories import DossierFactory, StaffFactory, StepFactory, UserFactory, grant
from tests.questionnaire_helpers import standard_template

from .conftest import DESKTOP, log_in

pytestmark = pytest.mark.browser

NARROW = {"width": 360, "height": 740}
MINIMUM = 24  # CSS px, WCAG 2.2 criterion 2.5.8


@dataclass
class Scene:
    """A client with a dossier full enough to scroll (steps, messages, two open questionnaires)
    and the staff member handling it, with an authenticator app."""

    user: User
    staff: User
    device: TOTPDevice
    dossier: Dossier
    action: Action


@pytest.fixture
def scene(transactional_db) -> Scene:
    return make_scene()


def make_scene() -> Scene:
    office = Office.current()
    office.name = "Notariaat Van Dam"
    office.phone = "030 123 45 67"
    office.contact_email = "info@vandam.test"
    office.save()
    user = UserFactory(email="klant@example.test", full_name="Jan de Vries")
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    staff = StaffFactory(email="notaris@kantoor.test", full_name="Mr. A. de Notaris")
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    dossier = DossierFactory(
        number="2026.0142", description="Levering woning Dorpsstraat 12, Utrecht", handler=staff
    )
    grant(dossier, user.client)
    for i in range(12):
        StepFactory(dossier=dossier, position=i, title=f"Stap {i + 1}", done=i < 4)
    for i in range(3):
        send_message(dossier=dossier, sender=staff, subject=f"Bericht {i + 1}", body="Tekst.")
    send_message(dossier=dossier, sender=user, subject="Vraag", body="Klopt de datum?")
    action = actions.send_questionnaire(
        template=standard_template(), dossier=dossier, client=user.client, by=staff
    )
    actions.send_questionnaire(
        template=standard_template(), dossier=dossier, client=user.client, by=staff
    )
    return Scene(user, staff, device, dossier, action)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def staff_log_in(page: Page, scene: Scene) -> None:
    assert log_in(page, scene.staff.email) == "/inloggen/code/"
    page.get_by_label(re.compile(r"^\s*Code")).fill(current_code(scene.device))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert urlsplit(page.url).path.startswith("/kantoor/")


# --- 2.5.8 target size ------------------------------------------------------------------------

#: Every interactive element's box below 24×24 px that is not an inline link in running text.
#: Stricter than the criterion, which also lets a small target pass when nothing else is within
#: 12 px of its centre: here every control outside a sentence is 24×24 px itself.
SMALL_TARGETS = r"""() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + 'label[for]';
  const failing = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('[hidden], dialog:not([open]), [aria-hidden=true]')) continue;
    if (el.tagName === 'LABEL') {
      const input = document.getElementById(el.htmlFor);
      if (!input || !['checkbox', 'radio'].includes(input.type)) continue;
    }
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const r = el.getBoundingClientRect();
    // No area of its own: visually hidden (a file input under its styled button, the skip
    // link until focused, a label holding only hidden text); its visible stand-in is measured.
    if (r.width < 2 || r.height < 2 || r.right < 0) continue;
    if (r.width >= 24 - 0.01 && r.height >= 24 - 0.01) continue;
    if (inlineInText(el)) continue;
    failing.push({el, r});
  }
  function inlineInText(el) {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display === 'inline') block = block.parentElement;
    const around = block.textContent.replace(el.textContent, '').replace(/\s+/g, ' ').trim();
    return around.length >= 3;
  }
  return failing.map(t => {
    const name = (t.el.textContent || t.el.name || t.el.id).trim().slice(0, 40);
    const size = `${t.r.width.toFixed(1)}x${t.r.height.toFixed(1)}`;
    return `${t.el.tagName.toLowerCase()} "${name}" ${size}`;
  });
}"""


def small_targets(page: Page) -> list[str]:
    return page.evaluate(SMALL_TARGETS)


def client_pages(scene: Scene) -> list[str]:
    pk = scene.dossier.pk
    return [
        "/",
        "/dossiers/",
        f"/dossiers/{pk}/",
        f"/dossiers/{pk}/berichten/",
        f"/dossiers/{pk}/berichten/nieuw/",
        "/acties/",
        f"/acties/{scene.action.pk}/invullen/1/",
        f"/acties/{scene.action.pk}/invullen/2/",
        "/mijn-gegevens/",
        "/toegankelijkheid/",
        "/dossiers/999999/",
    ]


def staff_pages(scene: Scene) -> list[str]:
    pk = scene.dossier.pk
    return [
        "/kantoor/",
        "/kantoor/dossiers/",
        f"/kantoor/dossiers/{pk}/",
        f"/kantoor/dossiers/{pk}/berichten/nieuw/",
    ]


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["360", "1280"])
def test_every_target_is_at_least_24_px_WCAG_2_5_8(
    page: Page, scene: Scene, viewport, language, live_server
):
    """R-X-4, issue 15 item 4 (WCAG 2.2 2.5.8): on the login page, the client pages (with the Acties
    bar open), the workspace and the error page, at 360 and 1280 px, in Dutch and English,
    every link, button, field, checkbox (and its label), summary, footer link and the language
    switch is at least 24×24 px, unless it is an inline link in a sentence."""
    User.objects.filter(pk__in=[scene.user.pk, scene.staff.pk]).update(language=language)
    cookie = [{"name": "django_language", "value": language, "url": live_server.url}]
    page.context.add_cookies(cookie)
    found: dict[str, list[str]] = {}
    for path in ["/inloggen/", "/wachtwoord/instellen/", "/toegankelijkheid/", "/controleren/"]:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        found[path] = small_targets(page)
    log_in(page, scene.user.email)
    for path in client_pages(scene):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        bar = page.locator(".actions-details")
        if bar.count():
            bar.evaluate("details => { details.open = true; }")
        found[path] = small_targets(page)
    page.context.clear_cookies()
    page.context.add_cookies(cookie)
    staff_log_in(page, scene)
    for path in staff_pages(scene):
        page.goto(path)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        found["staff " + path] = small_targets(page)
    too_small = {path: targets for path, targets in found.items() if targets}
    assert too_small == {}, "\n".join(f"{path}: {targets}" for path, targets in too_small.items())


@pytest.mark.parametrize("language", ["Nederlands", "English"])
def test_the_statement_fits_a_phone_R_X_6(page: Page, scene: Scene, language):
    """R-X-6, issue 15 item 5 (WCAG 1.4.10 reflow): the accessibility statement at 360 px, in
    both languages, scrolls only downwards, its long words and addresses wrapped."""
    page.set_viewport_size(NARROW)
    office = Office.current()
    office.accessibility_email = "toegankelijkheid@een-lang-domein.klantportaal.test"
    office.accessibility_known_issues = "Een probleem.\nNog een probleem."
    office.save()
    page.goto("/toegankelijkheid/")
    if language == "English":
        with page.expect_navigation():
            page.get_by_role("button", name="English").click()
    expect(page.locator(".statement-issues li")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


# --- 2.4.11 focus not obscured ----------------------------------------------------------------

#: The focused element (or, for a visually hidden file input, the button standing in for it):
#: is the point at its centre covered by something that is not it?
FOCUS_COVERED = r"""() => {
  let el = document.activeElement;
  if (!el || el === document.body) return null;
  if (el.classList.contains('file-chooser-input')) el = el.nextElementSibling || el;
  const r = el.getBoundingClientRect();
  if (r.width < 2 || r.height < 2) return null;
  const x = Math.min(Math.max(r.left + r.width / 2, 0), innerWidth - 1);
  const y = r.top + r.height / 2;
  const name = `${el.tagName} "${(el.textContent || el.name || el.id).trim().slice(0, 30)}"`;
  if (y < 0 || y >= innerHeight) return `${name} is outside the viewport (y=${y})`;
  const top = document.elementFromPoint(x, y);
  const itsLabel = top && top.tagName === 'LABEL' && top.htmlFor === el.id;
  if (top && (top === el || el.contains(top) || itsLabel)) return null;
  return `${name} is under ${top ? top.tagName + '.' + top.className : 'nothing'}`;
}"""


@pytest.mark.parametrize("where", ["workspace", "client"])
@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["360", "1280"])
def test_focus_is_never_under_the_sticky_section_nav_WCAG_2_4_11(
    page: Page, scene: Scene, viewport, where
):
    """R-X-4, issue 15 item 4 (WCAG 2.2 2.4.11): tabbing forward and back through the workspace's
    dossier page (its section nav sticks to the top) and the client's dossier page (the Acties
    bar open above it), every focused element scrolled into view is visible: the point at its
    centre is the element itself, not a sticky bar."""
    if where == "workspace":
        staff_log_in(page, scene)
        page.goto(f"/kantoor/dossiers/{scene.dossier.pk}/")
        expect(page.locator(".ws-section-nav")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollHeight > 2 * innerHeight")
    else:
        log_in(page, scene.user.email)
        page.goto(f"/dossiers/{scene.dossier.pk}/")
        page.locator(".actions-details").evaluate("details => { details.open = true; }")
    covered = []
    for seen, key in enumerate(["Tab"] * 80 + ["Shift+Tab"] * 80, start=1):
        page.keyboard.press(key)
        problem = page.evaluate(FOCUS_COVERED)
        if problem:
            covered.append(f"{key} #{seen}: {problem}")
    assert covered == []
    assert page.evaluate("scrollY") >= 0


def test_the_session_dialog_keeps_its_focus_in_view_WCAG_2_4_11(page: Page, scene: Scene):
    """R-X-4, issue 15 item 4 (WCAG 2.2 2.4.11): the session-timeout warning is a modal dialog on
    top of everything (the Acties bar and the header included); its focused button is visible."""
    log_in(page, scene.user.email)
    page.goto(f"/dossiers/{scene.dossier.pk}/")
    page.evaluate("document.getElementById('session-warning').showModal()")
    page.locator("#session-stay").focus()
    assert page.evaluate(FOCUS_COVERED) is None


# --- 3.3.8 accessible authentication ----------------------------------------------------------


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["360", "1280"])
def test_show_password_toggle_and_paste_WCAG_3_3_8(page: Page, viewport):
    """R-X-4, issue 15 item 4 (WCAG 2.2 3.3.8): the password field allows pasting (nothing cancels
    the paste event) and has a "Wachtwoord tonen" toggle (aria-pressed) that shows and hides
    it; the form still posts a password field."""
    page.goto("/inloggen/")
    field = page.locator("input[name=password]")
    prevented = field.evaluate(
        """field => {
        const data = new DataTransfer();
        data.setData('text/plain', 'Geplakt-wachtwoord1');
        const event = new ClipboardEvent(
            'paste', {clipboardData: data, bubbles: true, cancelable: true});
        field.dispatchEvent(event);
        return event.defaultPrevented;
    }"""
    )
    assert prevented is False
    field.fill("Geheim-wachtwoord1")
    toggle = page.get_by_role("button", name="Wachtwoord tonen")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(toggle).to_have_attribute("aria-controls", field.get_attribute("id"))
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(field).to_have_attribute("type", "text")
    expect(field).to_have_value("Geheim-wachtwoord1")
    toggle.press("Space")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(field).to_have_attribute("type", "password")
    box = toggle.bounding_box()
    assert box["width"] >= MINIMUM and box["height"] >= MINIMUM
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_show_password_in_english_WCAG_3_3_8(page: Page):
    """R-X-4, issue 15 item 4 (WCAG 2.2 3.3.8): after the language switch the toggle is named "Show
    password" and shows the password."""
    page.goto("/inloggen/")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    toggle = page.get_by_role("button", name="Show password")
    expect(toggle).to_have_count(1)
    toggle.click()
    expect(page.locator("input[name=password]")).to_have_attribute("type", "text")


# --- 2.5.7 dragging movements -----------------------------------------------------------------


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["360", "1280"])
def test_the_attachment_dialog_offers_browse_next_to_the_drop_zone_WCAG_2_5_7(
    page: Page, scene: Scene, viewport
):
    """R-X-4, issue 15 item 4 (WCAG 2.2 2.5.7): dropping files is never the only way: the dialog's
    drop zone holds a "Bladeren" button that opens the file chooser, large enough to press."""
    # Intercept file choosers from the start: turned on by the first listener, asynchronously.
    page.on("filechooser", lambda chooser: None)
    log_in(page, scene.user.email)
    page.goto(f"/dossiers/{scene.dossier.pk}/berichten/nieuw/")
    page.get_by_role("button", name=re.compile("Bijlagen")).click()
    dialog = page.get_by_role("dialog", name="Bijlagen toevoegen")
    expect(dialog).to_be_visible()
    browse = dialog.locator("#dropzone").get_by_role("button", name="Bladeren")
    expect(browse).to_be_visible()
    box = browse.bounding_box()
    assert box["width"] >= MINIMUM and box["height"] >= MINIMUM
    with page.expect_file_chooser() as chooser:
        browse.click()
    assert chooser.value.is_multiple()
