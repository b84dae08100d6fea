from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile

from portal.accounts.models import Client, User
from portal.documents.models import Document
from portal.dossiers import services as dossier_services
from portal.dossiers.models import Dossier
from portal.messaging import services as message_services

from .factories import ClientFactory, DossierFactory, StaffFactory, UserFactory, grant

IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """A test that cannot run for lack of a real part: skipped on a developer's machine, a
    failure in CI (CI=true), so that a green CI run never hides an untested part."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The rate limits (django-ratelimit, DRF's throttles) count in the cache, which outlives a
    test: every test starts with no counts, so one test's requests never limit another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_office():
    """Most tests are of one office: code a test runs outside a request (factories, services)
    is that office's, the first (made when first needed). The tests of many offices
    (R-TEN-*) choose their offices with ``office_scope``; requests choose theirs by host name
    (``OFFICE_FALLBACK`` in the test settings: an unknown host is the first office's)."""
    from portal.core import tenancy
    from portal.offices.models import Office, OfficeHost

    def first_office() -> Office:
        office = Office.first_or_create()
        # The test client's host is that office's: a request finds it in one query, as in
        # production, instead of falling back after a miss.
        OfficeHost.objects.get_or_create(name="testserver", defaults={"office": office})
        return office

    with tenancy.default_office(first_office):
        yield


@pytest.fixture(autouse=True)
def _default_language():
    """A test that renders in English (an e-mail, a PDF, a page with the language cookie) may
    leave English active in this thread; the next test starts in the default language again."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _check_html(monkeypatch):
    """R-X-3, issue 14 item 8: every HTML page the suite receives through Django's test client
    is checked: an id that occurs twice, or a form control with no or several accessible names,
    fails the test that fetched the page. R-OFF-6: every API response is checked against the
    OpenAPI schema (tests/api_schema_check.py)."""
    from django.test import Client as HttpClient

    from . import api_schema_check
    from .html_checks import problems

    fetch = HttpClient.request

    def request(self, **kwargs):
        response = fetch(self, **kwargs)
        method = kwargs.get("REQUEST_METHOD", "GET")
        mismatch = api_schema_check.check(method, kwargs.get("PATH_INFO", ""), response)
        if mismatch:
            text = f"{method} {kwargs.get('PATH_INFO', '')} {response.status_code}: {mismatch}"
            api_schema_check.mismatches.append(text)
            pytest.fail(f"API schema check: {text}", pytrace=False)
        if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
            found = problems(response.content.decode(response.charset or "utf-8", "replace"))
            if found:
                where = f"{kwargs.get('REQUEST_METHOD', 'GET')} {kwargs.get('PATH_INFO', '')}"
                pytest.fail(f"{where}: " + "; ".join(found), pytrace=False)
        return response

    monkeypatch.setattr(HttpClient, "request", request)


@dataclass
class World:
    """The standing roles of the access tests (R-DOS-6) and two dossiers to try them on."""

    owner: User
    other: User
    company_main: User
    company_extra: User
    revoked: User
    staff: User
    person_dossier: Dossier
    company_dossier: Dossier

    def roles(self) -> dict[str, User | None]:
        return {
            "owner": self.owner,
            "other client": self.other,
            "company main account": self.company_main,
            "extra account": self.company_extra,
            "revoked client": self.revoked,
            "staff": self.staff,
            "anonymous": None,
        }


@pytest.fixture
def world(db) -> World:
    owner = UserFactory(email="owner@example.test")
    other = UserFactory(email="other@example.test")
    company = ClientFactory(company=True)
    company_main = UserFactory(email="main@company.test", client=company)
    company_extra = UserFactory(email="extra@company.test", client=company, is_main_account=False)
    revoked = UserFactory(email="revoked@example.test")
    staff = StaffFactory(email="staff@office.test")

    person_dossier = DossierFactory(description="Levering woning Dorpsstraat 1")
    grant(person_dossier, owner.client)
    grant(person_dossier, revoked.client)
    dossier_services.revoke_access(dossier=person_dossier, client=revoked.client)

    company_dossier = DossierFactory(description="Oprichting Voorbeeld B.V.")
    grant(company_dossier, company)
    for dossier in (person_dossier, company_dossier):
        for kind in Document.Kind.values:
            Document.objects.create(
                dossier=dossier,
                kind=kind,
                title=f"Stuk {kind}",
                original_name=f"{kind}.txt",
                size=7,
                content_type="text/plain",
                sha256="0" * 64,
                file=ContentFile(b"inhoud\n", name="upload"),
            )
        # One message from the office in each dossier (R-MSG-1), for the message URLs.
        message_services.send_message(
            dossier=dossier,
            sender=staff,
            subject=f"Bericht over {dossier.number}",
            body="Graag uw reactie.",
        )
    return World(
        owner, other, company_main, company_extra, revoked, staff, person_dossier, company_dossier
    )


@pytest.fixture
def person(db) -> User:
    return UserFactory(email="client@example.test", full_name="Jan de Vries")


@pytest.fixture
def person_client(person) -> Client:
    return person.client


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call ``fn`` and then the after-commit work it queued (e-mail delivery), as in
    production, where that work runs once the transaction commits."""

    def _run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return _run


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's ``admin_client``, with the second factor passed: the admin requires it
    of staff (portal.adminsite.gate)."""
    from .workspace_helpers import staff_http

    return staff_http(admin_user)


def pytest_terminal_summary(terminalreporter):
    from . import api_schema_check as c

    if c.seen["responses"]:
        terminalreporter.write_line(
            f"api schema check: {c.seen['responses']} responses, {len(c.operations)} operations, "
            f"{len(c.mismatches)} mismatches"
        )
