"""axe-core on every page type the portal has (R-X-4, issue 15 item 4): the client's pages, the
workspace, the admin's start page, the error pages and the dialogs opened, at 360 and 1280 px,
in Dutch and English, with the WCAG 2.0/2.1/2.2 A and AA rules: 0 violations.

One browser context per width and language walks every page in sequence (the suite's time);
``tests/browser/axe.py`` injects axe without touching the product's CSP, and a deliberately
broken page proves the check finds what it should.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from portal.accounts.models import AccountToken
from portal.documents.models import Document
from portal.messaging.services import send_message
from portal.offices.models import Office
from portal.questionnaires import services as questionnaires
from portal.questionnaires.models import QuestionKind
from tests.factories import (
    ClientFactory,
    DossierFactory,
    StaffFactory,
    StepFactory,
    UserFactory,
    grant,
)
from tests.questionnaire_helpers import make_template

from .axe import RUNS, assert_no_axe_violations, axe_available, describe, run_axe
from .conftest import (
    DEFAULT_TIMEOUT_MS,
    EMAIL_LABEL,
    LOGIN_BUTTON,
    PASSWORD_LABEL,
    log_in,
    watch_csp,
)

pytestmark = pytest.mark.browser

WIDTHS = [360, 1280]
LANGUAGES = ["nl", "en"]
TABS = ["correspondentie", "documenten", "aangeleverd", "berichten"]


@pytest.fixture(autouse=True)
def _axe_installed():
    axe_available()


@pytest.fixture
def viewport(request):
    return {"width": request.param, "height": 800}


def scene(language: str) -> dict:
    """A client with a dossier (documents of every kind, steps, a message from the office, an
    open questionnaire and upload request, an extra account), a not yet activated client, and
    the dossier's handler with an authenticator app; all in ``language``."""
    office = Office.current()
    office.name = "Notariskantoor Van Speijk-Oudenallen"
    office.save()
    # A company's main account: it has the extra-account pages as well.
    user = UserFactory(
        email="klant@example.test",
        full_name="Jan de Vries",
        language=language,
        client=ClientFactory(company=True, name="Voorbeeld B.V."),
    )
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    extra = UserFactory(
        email="partner@example.test", client=user.client, is_main_account=False, language=language
    )
    newcomer = UserFactory(email="nieuw@example.test", language=language)
    staff = StaffFactory(
        email="behandelaar@kantoor.test",
        full_name="Mr. A. de Notaris",
        language=language,
        staff_role="administrator",
    )
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    dossier = DossierFactory(
        number="2026.10001",
        description="Levering appartement Oudegracht 12, Utrecht",
        handler=staff,
    )
    grant(dossier, user.client)
    # A second dossier: with one, the dossier list goes straight to it.
    grant(DossierFactory(number="2026.10002", description="Oprichting Voorbeeld B.V."), user.client)
    for position in range(4):
        StepFactory(dossier=dossier, position=position, title=f"Stap {position + 1}")
    for kind in Document.Kind.values:
        Document.objects.create(
            dossier=dossier,
            kind=kind,
            title=f"Concept akte {kind}",
            original_name=f"akte-{kind}.txt",
            size=7,
            content_type="text/plain",
            sha256="0" * 64,
            file=ContentFile(b"inhoud\n", name="upload"),
        )
    message = send_message(
        dossier=dossier, sender=staff, subject="Concept akte", body="Bijgaand de concept akte."
    )
    template = make_template(
        [
            [(QuestionKind.SHORT_TEXT, "Volledige naam", "Full name", True, "")],
            [(QuestionKind.YES_NO, "Hypotheek nodig?", "Mortgage needed?", True, "")],
        ]
    )
    questionnaire = questionnaires.send_questionnaire(
        template=template, dossier=dossier, client=user.client, by=staff
    )
    upload = questionnaires.request_upload(
        dossier=dossier,
        client=user.client,
        title_nl="Kopie legitimatiebewijs",
        title_en="Copy of proof of identity",
        by=staff,
    )
    return {
        "user": user,
        "extra": extra,
        "staff": staff,
        "device": device,
        "dossier": dossier,
        "message": message,
        "questionnaire": questionnaire,
        "upload": upload,
        "invitation": AccountToken.issue(newcomer, AccountToken.Purpose.INVITATION),
        "set_password": AccountToken.issue(newcomer, AccountToken.Purpose.SET_PASSWORD),
    }


def rendered_error(template: str, language: str) -> str:
    """An error page as the server renders it: 500 and 503 without a request context (the
    database may be down) and 403 for a failed CSRF check, the others with one (a visitor's)."""
    with translation.override(language):
        if template in ("403.html", "429.html"):
            request = RequestFactory().get("/inloggen/")
            request.user = AnonymousUser()
            request.LANGUAGE_CODE = language
            return render_to_string(template, request=request)
        return render_to_string(template)


def fulfil_with(status: int, html: str):
    """A route handler answering ``html`` with ``status`` (the page's static files still come
    from the server)."""

    def handler(route, request=None):
        route.fulfill(status=status, content_type="text/html; charset=utf-8", body=html)

    return handler


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", WIDTHS, indirect=True)
def test_every_page_type_has_no_axe_violations_R_X_4(page: Page, live_server, viewport, language):
    """R-X-4, issue 15 item 4: axe (wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa) finds nothing
    on any page type, with the dialogs and the Acties bar opened, at this width and language."""
    s = scene(language)
    dossier = s["dossier"]

    def check(label: str, url: str | None = None, status: int = 200, lands: str = "") -> None:
        if url is not None:
            response = page.goto(url)
            # The page itself, not a redirect to the login page or an error instead.
            landed = (response.status, urlsplit(page.url).path)
            assert landed == (status, lands or urlsplit(url).path), label
        if label != "500":  # the 500 page speaks both languages, with Dutch first
            assert page.evaluate("() => document.documentElement.lang") == language, label
        assert_no_axe_violations(page, label, language=language)

    # Before login: the language comes from the cookie the language switch sets.
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    check("login", "/inloggen/")
    page.get_by_label(EMAIL_LABEL).fill(s["user"].email)
    page.get_by_label(PASSWORD_LABEL).fill("not the password")
    with page.expect_navigation():
        page.locator("form button[type=submit]", has_text=LOGIN_BUTTON).click()
    expect(page.locator("[aria-invalid=true], .errorlist, .form-errors").first).to_be_visible()
    check("login with an error")
    check("forgot password", "/wachtwoord/instellen/")
    check("invitation", f"/welkom/{s['invitation']}/", lands="/welkom/")
    check("set password", f"/wachtwoord/nieuw/{s['set_password']}/", lands="/wachtwoord/nieuw/")
    check("404", "/bestaat-niet/", 404)
    check("accessibility statement", "/toegankelijkheid/")
    check("verify a document", "/controleren/")
    for name in ("403", "403_csrf", "429", "500", "503"):
        status = int(name[:3])
        page.route(f"**/axe-{name}/", fulfil_with(status, rendered_error(f"{name}.html", language)))
        check(name, f"/axe-{name}/", status)

    # The client.
    assert log_in(page, s["user"].email) == "/"
    check("home")
    check("dossier list", "/dossiers/")
    for tab in TABS:
        check(f"dossier: {tab}", f"/dossiers/{dossier.pk}/{tab}/")
    page.goto(f"/dossiers/{dossier.pk}/")
    page.locator(".actions-bar summary").click()
    check("Acties bar opened")
    page.evaluate("() => document.getElementById('session-warning').showModal()")
    expect(page.locator("#session-warning")).to_be_visible()
    check("session-timeout warning")
    check("message", f"/dossiers/{dossier.pk}/berichten/{s['message'].pk}/")
    check("new message", f"/dossiers/{dossier.pk}/berichten/nieuw/")
    page.locator("#open-attachments").click()
    expect(page.locator("dialog[open]")).to_have_count(1)
    check("attachment dialog")
    page.keyboard.press("Escape")
    expect(page.locator("dialog[open]")).to_have_count(0)
    page.get_by_label(re.compile(r"^(Bericht|Message)\b")).fill("x" * 4001)
    expect(page.locator("#max-notice")).to_be_visible()
    check("maximum-reached notice")
    check("actions list", "/acties/")
    check("questionnaire page", f"/acties/{s['questionnaire'].pk}/invullen/1/")
    check("upload request", f"/acties/{s['upload'].pk}/uploaden/")
    check("my details", "/mijn-gegevens/")
    check("two-step: authenticator app", "/mijn-gegevens/verificatie/app/")
    check("two-step: text message", "/mijn-gegevens/verificatie/sms/")
    check("extra accounts", "/mijn-gegevens/accounts/")
    check("extra account", f"/mijn-gegevens/accounts/{s['extra'].pk}/")
    check("new extra account", "/mijn-gegevens/accounts/nieuw/")
    check("add a passkey", "/mijn-gegevens/verificatie/passkey/")
    check("404 logged in", f"/dossiers/{dossier.pk + 1000}/", 404)

    # The staff member, after the second step.
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    assert log_in(page, s["staff"].email) == "/inloggen/code/"
    check("login code")
    device = s["device"]
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    page.get_by_label(re.compile("code", re.IGNORECASE)).first.fill(code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    check("workspace inbox", "/kantoor/")
    check("workspace dossiers", "/kantoor/dossiers/")
    check("workspace dossier", f"/kantoor/dossiers/{dossier.pk}/")
    check("workspace new dossier", "/kantoor/dossiers/nieuw/")
    check("workspace new message", f"/kantoor/dossiers/{dossier.pk}/berichten/nieuw/")
    check("workspace clients", "/kantoor/klanten/")
    check("workspace new client", "/kantoor/klanten/nieuw/")
    check("workspace client", f"/kantoor/klanten/{s['user'].client_id}/")
    check("workspace search", "/kantoor/zoeken/?q=jan")
    check("workspace message", f"/kantoor/dossiers/{dossier.pk}/berichten/{s['message'].pk}/")
    check("workspace audit trail", f"/kantoor/dossiers/{dossier.pk}/logboek/")
    check("workspace client audit trail", f"/kantoor/klanten/{s['user'].client_id}/logboek/")
    check("admin start page", "/beheer/")


BROKEN = """<!doctype html>
<html lang="nl"><head><title>Kapot</title></head>
<body><main>
  <h1>Een kapotte pagina</h1>
  <input type="text" name="naam">
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <p style="color:#bbb;background:#fff">Nauwelijks leesbare tekst</p>
</main></body></html>"""


@pytest.mark.parametrize("viewport", [1280], indirect=True)
def test_axe_finds_a_broken_page_R_X_4(page: Page, viewport):
    """R-X-4, issue 15 item 4: the check has teeth: an unlabelled input, an image without alt
    and low-contrast text are reported, and the assertion fails with their rule ids."""
    page.set_content(BROKEN)
    found = {violation["id"] for violation in run_axe(page)}
    assert {"label", "image-alt", "color-contrast"} <= found, found
    before = len(RUNS)
    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page, "deliberately broken page")
    del RUNS[before:]  # not a page of the portal: kept out of the figures
    for rule in ("label", "image-alt", "color-contrast"):
        assert f"- {rule} (" in str(failure.value)


@pytest.mark.parametrize("viewport", [1280], indirect=True)
def test_axe_runs_under_the_products_csp_R_X_4(browser, live_server, viewport):
    """R-X-4, issue 15 item 4: axe is evaluated through the DevTools protocol while the page's
    Content-Security-Policy stays in force: the policy refuses an inline script on the same
    page, and axe itself causes no CSP report."""
    context = browser.new_context(viewport=viewport, base_url=live_server.url)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        violations = watch_csp(page)
        response = page.goto("/inloggen/")
        policy = response.headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
        assert run_axe(page) == [], describe(run_axe(page))
        assert violations == []
        page.evaluate(
            """() => { const s = document.createElement("script");
                       s.textContent = "window.inlineRan = true;";
                       document.body.appendChild(s); }"""
        )
        page.wait_for_timeout(100)
        assert page.evaluate("() => window.inlineRan") is None
        assert any("Content Security Policy" in v for v in violations), violations
    finally:
        context.close()
