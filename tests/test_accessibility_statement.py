"""The accessibility statement (R-X-6, issue 15 item 5) and the same contact and help block in
the footer of every page type (WCAG 2.2 criterion 3.2.6, issue 15 item 4)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import OperationalError
from django.test import Client as HttpClient
from django.urls import include, path

from portal.offices.models import Office

from .workspace_helpers import staff_http


def explode(request):
    raise RuntimeError("a bug")


def database_gone(request):
    raise OperationalError("connection refused")


urlpatterns = [
    path("boom/", explode),
    path("db-weg/", database_gone),
    path("", include("portal.urls")),
]
handler500 = "portal.errors.server_error"


@pytest.fixture
def office(db) -> Office:
    office = Office.current()
    office.name = "Notariaat Van Dam"
    office.phone = "030 123 45 67"
    office.contact_email = "info@vandam.test"
    office.accessibility_status = "B"
    office.accessibility_statement_date = datetime.date(2026, 11, 20)
    office.accessibility_evaluation_date = datetime.date(2026, 11, 18)
    office.accessibility_method = "Eigen onderzoek met axe-core en handmatige controle."
    office.accessibility_method_en = "Own evaluation with axe-core and manual checks."
    office.accessibility_known_issues = (
        "Pdf-stukken zijn niet altijd toegankelijk.\n\nBeheer volgt."
    )
    office.accessibility_known_issues_en = "PDF documents are not always accessible.\nAdmin next."
    office.accessibility_email = "toegankelijk@vandam.test"
    office.accessibility_complaints = "Geschillencommissie Notariaat."
    office.accessibility_complaints_en = "The notarial disputes committee."
    office.save()
    return office


def test_the_statement_shows_the_offices_facts_in_dutch_R_X_6(office):
    """R-X-6, issue 15 item 5: anonymous, in Dutch: organisation, status in the register's
    words, the dates, method, each known issue as a list item, contact and complaints."""
    response = HttpClient().get("/toegankelijkheid/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Toegankelijkheidsverklaring</h1>" in page
    for fact in [
        "Notariaat Van Dam",
        "B: voldoet gedeeltelijk",
        "20 november 2026",
        "18 november 2026",
        "Eigen onderzoek met axe-core en handmatige controle.",
        "<li>Pdf-stukken zijn niet altijd toegankelijk.</li>",
        "<li>Beheer volgt.</li>",
        'href="mailto:toegankelijk@vandam.test"',
        'href="tel:0301234567"',
        "Geschillencommissie Notariaat.",
    ]:
        assert fact in page, fact
    assert page.count("<li>", page.index("statement-issues")) >= 2


def test_the_statement_in_english_uses_the_english_texts_R_X_6(office):
    """R-X-6, issue 15 item 5: an English visitor reads the office's English texts."""
    http = HttpClient()
    http.cookies["django_language"] = "en"
    page = http.get("/toegankelijkheid/").content.decode()
    assert "<h1>Accessibility statement</h1>" in page
    for fact in [
        "B: partially compliant",
        "20 November 2026",
        "Own evaluation with axe-core and manual checks.",
        "<li>PDF documents are not always accessible.</li>",
        "The notarial disputes committee.",
    ]:
        assert fact in page, fact
    assert "Pdf-stukken" not in page


def test_an_unfilled_statement_says_so_rather_than_inventing_facts_R_X_6(db):
    """R-X-6, issue 15 item 5: a new office's statement renders, with "not yet" for dates."""
    page = HttpClient().get("/toegankelijkheid/").content.decode()
    assert "voldoet" not in page and "maatregelen" not in page
    assert "nog niet onderzocht" in page and page.count("nog niet vastgesteld") == 2


def test_the_admin_edits_the_statement_R_X_6(admin_client, office):
    """R-X-6, issue 15 item 5: the statement's facts are fields of the office in /beheer/."""
    page = admin_client.get(f"/beheer/offices/office/{office.pk}/change/").content.decode()
    for field in [
        "accessibility_status",
        "accessibility_statement_date",
        "accessibility_evaluation_date",
        "accessibility_method",
        "accessibility_known_issues_en",
        "accessibility_email",
        "accessibility_complaints",
        "contact_email",
    ]:
        assert f'name="{field}"' in page, field


def footer_help(page: str) -> str:
    match = re.search(r'<div class="footer-help">.*?</address>.*?</div>', page, re.S)
    assert match, "no contact and help block in the footer"
    return re.sub(r"\s+", " ", match.group(0))


@pytest.mark.urls("tests.test_accessibility_statement")
def test_every_page_type_has_the_same_help_block_in_its_footer_WCAG_3_2_6(world, office, settings):
    """Issue 15 item 4 (WCAG 2.2 3.2.6 consistent help) and item 5 (R-X-6): the login page,
    client pages, the workspace, the statement itself and every error page (403, 404, the CSRF
    failure, 500, the database-down 503) carry the same block: the office's name, telephone,
    e-mail and the link to the accessibility statement."""
    settings.DEBUG = False
    settings.OFFICE_CACHE_SECONDS = 60  # the 503 page reads the office from the cache only
    anonymous = HttpClient(raise_request_exception=False)
    client = HttpClient(raise_request_exception=False)
    client.force_login(world.owner)
    staff = staff_http(world.staff)
    csrf = HttpClient(enforce_csrf_checks=True)
    pages = {
        "login": anonymous.get("/inloggen/"),
        "statement": anonymous.get("/toegankelijkheid/"),
        "client home": client.get("/"),
        "client dossier": client.get(f"/dossiers/{world.person_dossier.pk}/"),
        "my details": client.get("/mijn-gegevens/"),
        "workspace": staff.get("/kantoor/"),
        "workspace dossier": staff.get(f"/kantoor/dossiers/{world.person_dossier.pk}/"),
        "404": client.get("/dossiers/999999/"),
        "403": client.get("/kantoor/"),
        "403 csrf": csrf.post("/inloggen/", {"username": "a@b.test", "password": "x"}),
        "500": client.get("/boom/"),
        "503": client.get("/db-weg/"),
    }
    expected = footer_help(pages["login"].content.decode())
    assert "Notariaat Van Dam" in expected and 'href="tel:0301234567"' in expected
    assert 'href="mailto:info@vandam.test"' in expected
    assert 'href="/toegankelijkheid/"' in expected and "Toegankelijkheidsverklaring" in expected
    statuses = {name: response.status_code for name, response in pages.items()}
    assert statuses["404"] == 404 and statuses["403 csrf"] == 403
    assert statuses["500"] == 500 and statuses["503"] == 503
    for name, response in pages.items():
        assert footer_help(response.content.decode()) == expected, name


@pytest.mark.urls("tests.test_accessibility_statement")
def test_the_503_footer_names_the_office_with_the_database_down_WCAG_3_2_6(person, settings):
    """Issue 15 item 4: with the database down, the error page still has the help block (the
    office's name, read with the host before the failure, and the statement link), without
    touching the database again."""
    settings.DEBUG = False
    http = HttpClient(raise_request_exception=False)
    http.force_login(person)
    response = http.get("/db-weg/")
    assert response.status_code == 503
    block = footer_help(response.content.decode())
    assert "Notariskantoor" in block and 'href="/toegankelijkheid/"' in block


def test_the_demo_office_has_a_filled_in_statement_R_X_6(
    db, settings, django_capture_on_commit_callbacks
):
    """R-X-6, issue 15 item 5: ``manage.py demo`` gives the demo office a statement (status,
    dates, method, known issues, contact, complaints) and footer contact details, in both
    languages; an office's own statement is left alone by a second run."""
    import io

    from django.core.management import call_command

    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=io.StringIO())
    office = Office.current()
    assert office.accessibility_status == "B" and office.accessibility_statement_date
    assert office.contact_email and office.phone
    page = HttpClient().get("/toegankelijkheid/").content.decode()
    assert "B: voldoet gedeeltelijk" in page and "axe-core" in page
    assert page.count("<li>", page.index("statement-issues")) >= 2
    assert "Geschillencommissie Notariaat" in page
    http = HttpClient()
    http.cookies["django_language"] = "en"
    assert "The office&#x27;s own evaluation" in http.get("/toegankelijkheid/").content.decode()

    office.accessibility_status = "A"
    office.save()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=io.StringIO())
    assert Office.current().accessibility_status == "A"
