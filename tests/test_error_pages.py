"""Generic branded error pages (issue 8 item 5): 403, 404 and 500 in the portal's look, with what
to do next and no detail of the error (no traceback, no exception text, no path)."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import include, path

from .factories import AdministratorFactory, UserFactory
from .workspace_helpers import staff_http


def explode(request):
    raise RuntimeError("geheime-fout-details /srv/app/settings.py")


urlpatterns = [path("boom/", explode), path("", include("portal.urls"))]


@pytest.mark.urls("tests.test_error_pages")
def test_a_server_error_gets_the_branded_page_without_details_R_X_1(db, settings):
    settings.DEBUG = False
    http = HttpClient(raise_request_exception=False)
    http.force_login(UserFactory())
    response = http.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Er ging iets mis" in page and "Something went wrong" in page
    assert "portal/portal.css" in page and "Klantportaal" in page
    assert "geheime-fout-details" not in page and "Traceback" not in page
    assert "settings.py" not in page


def test_not_found_is_branded_and_the_same_for_missing_and_forbidden_R_DOS_6(world):
    """A dossier that does not exist and one the user may not see: the same branded 404."""
    http = HttpClient()
    http.force_login(world.other)
    missing = http.get("/dossiers/999999/")
    forbidden = http.get(f"/dossiers/{world.person_dossier.pk}/")
    assert missing.status_code == forbidden.status_code == 404

    def without_nonce(response):
        # The per-response CSP nonce and CSRF token differ; nothing else may.
        return re.sub(r'(nonce|value)="[^"]+"', "", response.content.decode())

    assert without_nonce(missing) == without_nonce(forbidden)
    page = missing.content.decode()
    assert "Pagina niet gevonden" in page and "Terug naar Home" in page
    assert "999999" not in page


def test_forbidden_is_branded_R_OFF_1(world):
    """A permission refused by the admin (a client's view of it would be a 404; an office
    administrator adding to the audit trail, which nobody may): the portal's 403 page, in the
    portal's look, saying what to do."""
    staff = AdministratorFactory()
    response = staff_http(staff).get("/beheer/audit/auditentry/add/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Geen toegang" in page and "portal/portal.css" in page and "Terug naar Home" in page
