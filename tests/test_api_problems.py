"""R-OFF-6, issue 17 item 2: every error of the API is RFC 9457 problem details
(``application/problem+json``: type, title, status, detail; ``errors`` per field on a 400), in
the language of ``Accept-Language`` (Dutch by default)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client as HttpClient

from portal.core import tenancy
from portal.offices.models import Office

from .api_helpers import Api, make_token
from .api_problems import problem
from .factories import ClientFactory, StaffFactory, StatusFactory, UserFactory
from .test_api_access import _operations
from .workspace_helpers import staff_http

V1 = "/api/v1"
EN = {"Accept-Language": "en"}


@pytest.fixture
def staff(db):
    return StaffFactory(email="koppeling@office.test")


@pytest.fixture
def raw(staff):
    return make_token(staff)[1]


@pytest.fixture
def api(raw):
    return Api(raw)


def test_validation_errors_name_each_field_R_OFF_6_item_2(api, world):
    """R-OFF-6 item 2: a 400 is type ``invalid`` with ``errors`` per field: a plain field, a
    field whose message was a single string (``reply_to``), nested list items as dotted paths
    (``steps.1.title``), and an error of no field in ``detail`` with empty ``errors``."""
    status = StatusFactory(name="Intake")
    missing = problem(api.post(f"{V1}/dossiers/", {"description": "x"}), 400, "invalid")
    assert missing["errors"] == {
        "number": ["Dit veld is verplicht."],
        "status": ["Dit veld is verplicht."],
    }
    assert missing["title"] == "Ongeldig verzoek"
    assert "number: Dit veld is verplicht." in missing["detail"]

    dossier = api.post(f"{V1}/dossiers/", {"number": "1", "description": "x", "status": status.pk})
    steps = api.put(
        f"{V1}/dossiers/{dossier.json()['id']}/steps/",
        {"steps": [{"title": "Intake"}, {"title": ""}, {"title": "x" * 201}]},
    )
    errors = problem(steps, 400, "invalid")["errors"]
    assert set(errors) == {"steps.1.title", "steps.2.title"}
    assert errors["steps.1.title"] == ["Dit veld mag niet leeg zijn."]

    other_dossier = world.company_dossier
    answer = world.person_dossier.messages.first()
    reply = api.post(
        f"{V1}/messages/",
        {"dossier": other_dossier.pk, "subject": "Re", "body": "x", "reply_to": answer.pk},
    )
    assert problem(reply, 400, "invalid")["errors"] == {
        "reply_to": ["Een antwoord blijft in het dossier van het bericht dat het beantwoordt."]
    }

    person = ClientFactory()
    company_only = api.post(
        f"{V1}/clients/{person.pk}/accounts/", {"email": "x@bedrijf.test", "full_name": "X"}
    )
    body = problem(company_only, 400, "invalid")
    assert body["errors"] == {}
    assert body["detail"] == "Alleen een bedrijf kan extra accounts hebben."


def test_a_client_account_as_handler_is_not_a_staff_member_R_OFF_6_item_2(api):
    """R-OFF-6 item 2: naming a client's account as a dossier's handler says so (not "object
    bestaat niet"), in Dutch and in English."""
    status = StatusFactory(name="Intake")
    client_user = UserFactory(email="klant@example.test")
    created = api.post(
        f"{V1}/dossiers/",
        {"number": "2026.1", "description": "x", "status": status.pk, "handler": client_user.pk},
    )
    assert problem(created, 400, "invalid")["errors"] == {
        "handler": ["Geen medewerker van dit kantoor."]
    }
    dossier = api.post(
        f"{V1}/dossiers/", {"number": "2026.2", "description": "x", "status": status.pk}
    )
    changed = api.patch(
        f"{V1}/dossiers/{dossier.json()['id']}/", {"handler": client_user.pk}, headers=EN
    )
    assert problem(changed, 400, "invalid")["errors"] == {
        "handler": ["Not a staff member of this office."]
    }


def test_unreadable_and_refused_bodies_are_problems_R_OFF_6_item_2(api, world, settings):
    """R-OFF-6 item 2: broken JSON (400 ``malformed``, empty ``errors``), a body type the
    operation does not read (415), an over-long Idempotency-Key (400 naming the header), a
    key reused for another request (422), too many form fields (Django's own 400)."""
    broken = api.http.post(
        f"{V1}/clients/",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.raw}"},
    )
    assert problem(broken, 400, "malformed")["errors"] == {}
    text = api.http.post(
        f"{V1}/clients/",
        "naam=Jan",
        content_type="text/plain",
        headers={"Authorization": f"Bearer {api.raw}"},
    )
    assert "text/plain" in problem(text, 415, "unsupported-media-type")["detail"]

    data = {"kind": "person", "name": "Jan", "email": "jan@example.test"}
    long_key = api.post(f"{V1}/clients/", data, headers={"Idempotency-Key": "k" * 256})
    assert problem(long_key, 400, "invalid")["errors"] == {
        "Idempotency-Key": ["De Idempotency-Key mag hoogstens 255 tekens hebben."]
    }
    assert api.post(f"{V1}/clients/", data, headers={"Idempotency-Key": "k1"}).status_code == 201
    reused = api.post(
        f"{V1}/clients/", {**data, "name": "Piet"}, headers={"Idempotency-Key": "k1", **EN}
    )
    body = problem(reused, 422, "idempotency-key-reused")
    assert body["detail"] == "This Idempotency-Key was used for a different request."
    assert body["title"] == "Idempotency-Key reused"

    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    fields = {f"veld{n}": "x" for n in range(5)}
    many = api.post(
        f"{V1}/documents/",
        {**fields, "file": SimpleUploadedFile("a.txt", b"a")},
        headers=EN,
        multipart=True,
    )
    assert problem(many, 400, "malformed")["detail"] == "The request could not be read."


def test_not_found_and_refusals_are_problems_R_OFF_6_item_2(api, raw, world):
    """R-OFF-6 item 2: an unknown id (no English developer's text any more), an invalid cursor,
    an address that names no operation, a method the address does not take, an Accept header
    the API cannot answer, no token or a wrong one (401 keeps ``WWW-Authenticate``), a client's
    session at the schema (403)."""
    unknown = problem(api.get(f"{V1}/dossiers/999999/"), 404, "not-found")
    assert unknown["detail"] == "Op dit adres is niets te vinden voor dit token."
    assert unknown["title"] == "Niet gevonden"
    assert "matches the given query" not in str(unknown)
    english = problem(api.get(f"{V1}/dossiers/999999/", headers=EN), 404, "not-found")
    assert english["detail"] == "There is nothing at this address for this token."
    grant = f"{V1}/dossiers/{world.person_dossier.pk}/grants/{world.other.client_id}/"
    problem(api.delete(grant), 404, "not-found")
    cursor = problem(api.get(f"{V1}/dossiers/", {"cursor": "bestaat-niet"}), 404, "not-found")
    assert cursor["detail"] == "Ongeldige cursor."
    nowhere = problem(api.get(f"{V1}/bestaat-niet/"), 404, "not-found")
    assert nowhere["detail"] == unknown["detail"]
    english_nowhere = problem(api.get(f"{V1}/bestaat-niet/", headers=EN), 404, "not-found")
    assert english_nowhere["title"] == "Not found"

    put = api.put(f"{V1}/dossiers/{world.person_dossier.pk}/", {}, headers=EN)
    assert problem(put, 405, "method-not-allowed")["detail"] == 'Method "PUT" not allowed.'
    html = api.get(f"{V1}/dossiers/", headers={"Accept": "text/html"})
    problem(html, 406, "not-acceptable")

    for caller in (Api(None), Api("kp_00000000_" + "x" * 43)):
        refused = caller.get(f"{V1}/dossiers/")
        body = problem(refused, 401, "not-authenticated")
        assert refused["WWW-Authenticate"] == "Bearer"
        assert body["title"] == "Geen geldig API-token"
    assert (
        problem(Api("kp_00000000_" + "x" * 43).get(f"{V1}/dossiers/", headers=EN), 401)["detail"]
        == "Invalid or revoked token."
    )

    client_session = HttpClient()
    client_session.force_login(world.owner)
    problem(client_session.get("/api/schema/?format=json"), 403, "permission-denied")


def test_every_operation_answers_refusals_as_problems_R_OFF_6_item_2(world, settings):
    """R-OFF-6 item 2, over the API access matrix: every operation of the schema answers a call
    without a valid token (401), and a call on ids that do not exist (404, or 403 where a
    permission refuses first), with problem details."""
    settings.API_RATE_PER_ADDRESS = "100000/m"
    _token, raw = make_token(StaffFactory(email="koppeling@office.test"))
    other_office = Office.objects.create(name="Ander kantoor")
    with tenancy.office_scope(other_office):
        _foreign, foreign_raw = make_token(world.staff, name="Vreemd", office=other_office)
    operations = _operations(raw)
    assert len(operations) >= 30
    for caller in (Api(None), Api("nonsense"), Api(foreign_raw)):
        for method, url in operations:
            call = getattr(caller, method)
            response = call(url, {}) if method in ("put", "patch") else call(url)
            problem(response, 401, "not-authenticated")
    api = Api(raw)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    checked = 0
    for path, item in schema["paths"].items():
        if "{" not in path:
            continue
        missing = re.sub(r"\{\w+\}", "999999", path)
        for method, operation in item.items():
            call = getattr(api, method)
            response = call(missing, {}) if method in ("put", "patch") else call(missing)
            refusals = {404, 403} if "403" in operation["responses"] else {404}
            assert response.status_code in refusals, (method, path, response.status_code)
            problem(response, response.status_code)
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize(
    ("header", "title"),
    [
        (None, "Ongeldig verzoek"),
        ("nl", "Ongeldig verzoek"),
        ("en", "Invalid request"),
        ("en-GB,en;q=0.9", "Invalid request"),
        ("fr-FR, en;q=0.5", "Invalid request"),
        ("de, fr", "Ongeldig verzoek"),
        ("*", "Ongeldig verzoek"),
    ],
)
def test_accept_language_chooses_the_language_Dutch_by_default_R_OFF_6_item_2(api, header, title):
    """R-OFF-6 item 2: the API speaks the first language of Accept-Language it knows (nl, en),
    else Dutch; the answer says which (Content-Language) and varies by the header."""
    headers = {"Accept-Language": header} if header else {}
    response = api.post(f"{V1}/dossiers/", {}, headers=headers)
    body = problem(response, 400, "invalid")
    assert body["title"] == title
    english = title == "Invalid request"
    assert body["errors"]["number"] == [
        "This field is required." if english else "Dit veld is verplicht."
    ]
    assert response["Content-Language"] == ("en" if english else "nl")
    assert "Accept-Language" in response["Vary"]


def test_accept_language_changes_no_page_and_no_audit_label_R_ME_1(world, settings):
    """R-ME-1 stays: a page ignores Accept-Language (the stored choice rules); the API's audit
    entry of a call without a token keeps the trail's language."""
    from portal.audit.models import AuditEntry

    page = staff_http(world.staff).get("/kantoor/", headers=EN)
    assert page["Content-Language"] == "nl"
    Api(None).get(f"{V1}/dossiers/", headers=EN)
    entry = AuditEntry.objects.filter(action="api.get").latest("pk")
    assert entry.actor_label == "(geen geldig API-token)"


def test_a_server_error_is_a_problem_without_internals_R_OFF_6_item_2(api, world, monkeypatch):
    """R-OFF-6 item 2: an uncaught exception is a 500 problem that shows nothing of it; a
    database that cannot be reached a 503 with Retry-After."""
    from portal.api import views

    message = world.person_dossier.messages.first()
    http = HttpClient(raise_request_exception=False)
    auth = {"Authorization": f"Bearer {api.raw}"}

    def explode(**kwargs):
        raise RuntimeError("geheime-fout-details /srv/app/settings.py")

    monkeypatch.setattr(views.message_services, "mark_handled", explode)
    failed = http.post(f"{V1}/messages/{message.pk}/handled/", headers=auth)
    body = problem(failed, 500, "server-error")
    assert "geheime" not in failed.content.decode() and "settings.py" not in str(body)
    assert body["detail"] == (
        "Er ging bij ons iets mis; dat is vastgelegd. Probeer het later opnieuw."
    )

    def unreachable(**kwargs):
        raise OperationalError("connection to server at 10.0.0.5 failed")

    monkeypatch.setattr(views.message_services, "mark_handled", unreachable)
    down = http.post(f"{V1}/messages/{message.pk}/handled/", headers={**auth, **EN})
    body = problem(down, 503, "unavailable")
    assert int(down["Retry-After"]) > 0
    assert "10.0.0.5" not in down.content.decode()
    assert body["title"] == "Temporarily unavailable"


def test_an_upload_refused_before_reading_is_a_413_problem_in_any_view_R_OFF_6_item_2(rf):
    """R-OFF-6 item 2: the handler answers an upload over the limits (refused by the upload
    handler before the body is read) with a 413 problem, whichever API view it reached."""
    from django.utils import translation
    from rest_framework.request import Request

    from portal.api.problems import exception_handler
    from portal.api.views import MessageViewSet
    from portal.files.upload_handlers import UploadStopped

    view = MessageViewSet()
    request = Request(rf.post("/api/v1/messages/"))
    with translation.override("nl"):
        response = exception_handler(
            UploadStopped(413, "Te veel."), {"view": view, "request": request}
        )
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"
    assert response.data == {
        "type": "urn:klantportaal:problem:too-large",
        "title": "Verzoek te groot",
        "status": 413,
        "detail": "Te veel.",
    }
