"""The API's operations beyond the first set (R-OFF-6): the staff list, the webhook endpoints
(configuration, for a token issued to configure by an office administrator), and the daily
work the workspace does (clients, steps, documents, questionnaires and upload requests).
Each goes through the domain services, so the audit trail follows."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.audit.models import AuditEntry
from portal.documents.models import Document, StagedUpload
from portal.integrations.models import WebhookEndpoint
from portal.offices.models import Office
from portal.questionnaires.models import Action

from .api_helpers import Api, make_token
from .factories import AdministratorFactory, StaffFactory
from .pdfs import PDF
from .questionnaire_helpers import sized_template

V1 = "/api/v1"


def configuring_token(user, **kwargs):
    return make_token(user, may_configure=True, **kwargs)


@pytest.fixture
def staff(db):
    return StaffFactory(email="koppeling@office.test", full_name="Koppeling")


@pytest.fixture
def api(staff):
    return Api(make_token(staff)[1])


@pytest.fixture
def administrator(db):
    return AdministratorFactory(email="beheer@office.test", full_name="Beheer")


@pytest.fixture
def config_api(administrator):
    return Api(configuring_token(administrator, name="Configuratie")[1])


def test_staff_list_gives_the_handler_ids_R_OFF_6(api, staff, administrator, world):
    """R-OFF-6 / R-DOS-1: GET /staff/ lists the active staff members (ids a dossier's handler
    takes), never a client's account or a blocked staff member."""
    StaffFactory(email="weg@office.test", is_active=False)
    response = api.get(f"{V1}/staff/")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert {row["email"] for row in rows} == {
        "koppeling@office.test",
        "beheer@office.test",
        world.staff.email,
    }
    assert set(rows[0]) == {"id", "full_name", "email", "role"}
    assert {row["role"] for row in rows} == {"handler", "administrator"}
    handler_id = next(row["id"] for row in rows if row["email"] == "koppeling@office.test")
    dossier = world.person_dossier
    changed = api.patch(f"{V1}/dossiers/{dossier.pk}/", {"handler": handler_id})
    assert changed.status_code == 200
    assert changed.json()["handler"] == handler_id


def test_webhook_endpoints_are_managed_by_a_configuring_token_R_OFF_6(config_api, administrator):
    """R-OFF-6: list, add (the secret in that answer only), change events and URL, deactivate
    and rotate the secret, each audited with the administrator's token as actor."""
    created = config_api.post(
        f"{V1}/webhook-endpoints/",
        {"url": "https://dms.example.test/hook", "events": ["message.sent", "message.sent"]},
        headers={"Idempotency-Key": "hook-1"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert body["secret"] == endpoint.secret
    assert body["events"] == ["message.sent"]
    assert body["active"] is True
    replay = config_api.post(
        f"{V1}/webhook-endpoints/",
        {"url": "https://dms.example.test/hook", "events": ["message.sent", "message.sent"]},
        headers={"Idempotency-Key": "hook-1"},
    )
    assert replay.status_code == 201
    assert WebhookEndpoint.objects.count() == 1
    assert AuditEntry.objects.get(action="api.webhook_created").actor == administrator

    listed = config_api.get(f"{V1}/webhook-endpoints/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [endpoint.pk]
    assert "secret" not in listed.json()["results"][0]
    assert "secret" not in config_api.get(f"{V1}/webhook-endpoints/{endpoint.pk}/").json()

    changed = config_api.patch(
        f"{V1}/webhook-endpoints/{endpoint.pk}/",
        {"url": "https://dms.example.test/hook2", "events": []},
    )
    assert changed.status_code == 200, changed.content
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events) == ("https://dms.example.test/hook2", [])
    entry = AuditEntry.objects.get(action="api.webhook_changed")
    assert entry.data["fields"] == ["events", "url"]

    off = config_api.patch(f"{V1}/webhook-endpoints/{endpoint.pk}/", {"active": False})
    assert off.json()["active"] is False
    endpoint.refresh_from_db()
    assert endpoint.active is False

    old_secret = endpoint.secret
    rotated = config_api.post(f"{V1}/webhook-endpoints/{endpoint.pk}/rotate-secret/")
    assert rotated.status_code == 200, rotated.content
    endpoint.refresh_from_db()
    assert rotated.json()["secret"] == endpoint.secret != old_secret
    assert endpoint.previous_secret == old_secret
    assert AuditEntry.objects.filter(action="api.webhook_secret_rotated").count() == 1

    refused = config_api.post(f"{V1}/webhook-endpoints/", {"url": "ftp://dms.example.test/"})
    assert refused.status_code == 400
    unknown = config_api.post(
        f"{V1}/webhook-endpoints/", {"url": "https://x.test/", "events": ["nope"]}
    )
    assert unknown.status_code == 400


def test_webhook_endpoints_refuse_a_daily_work_token_R_OFF_6(db, staff, administrator):
    """R-OFF-6: configuration needs both the token's ``may_configure`` and an administrator
    as its staff member: a daily-work token (of a handler or an administrator) and a
    configuring token acting as a handler get 403 and change nothing."""
    endpoint = WebhookEndpoint.objects.create(
        office=Office.current(), url="https://dms.example.test/hook"
    )
    refused = {
        "handler, daily work": Api(make_token(staff, name="a")[1]),
        "administrator, daily work": Api(make_token(administrator, name="b")[1]),
        "handler, may configure": Api(configuring_token(staff, name="c")[1]),
    }
    for caller, api in refused.items():
        calls = [
            api.get(f"{V1}/webhook-endpoints/"),
            api.get(f"{V1}/webhook-endpoints/{endpoint.pk}/"),
            api.post(f"{V1}/webhook-endpoints/", {"url": "https://evil.test/"}),
            api.patch(f"{V1}/webhook-endpoints/{endpoint.pk}/", {"active": False}),
            api.post(f"{V1}/webhook-endpoints/{endpoint.pk}/rotate-secret/"),
        ]
        assert [call.status_code for call in calls] == [403] * 5, caller
    endpoint.refresh_from_db()
    assert endpoint.active
    assert WebhookEndpoint.objects.count() == 1
    assert not AuditEntry.objects.filter(action__startswith="api.webhook").exists()
    # Demoting the administrator ends the configuring token's configuration at once.
    token, raw = configuring_token(administrator, name="d")
    assert Api(raw).get(f"{V1}/webhook-endpoints/").status_code == 200
    administrator.staff_role = "handler"
    administrator.save()
    assert Api(raw).get(f"{V1}/webhook-endpoints/").status_code == 403
    # A configuring token still does the daily work.
    assert Api(raw).get(f"{V1}/dossiers/").status_code == 200


def test_update_deactivate_and_reactivate_a_client_R_OFF_6_R_ME_4(api, staff, world):
    """R-OFF-6 / R-OFF-1: PATCH /clients/{id}/ changes name and reference (update_client,
    audited, updated_since finds it); deactivate blocks every account of the client
    (set_blocked: sessions end) and reactivate unblocks them; a repeat changes nothing."""
    company = world.company_main.client
    before = company.updated_at
    changed = api.patch(f"{V1}/clients/{company.pk}/", {"name": "Voorbeeld Holding B.V."})
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "Voorbeeld Holding B.V."
    assert changed.json()["active"] is True
    company.refresh_from_db()
    assert company.name == "Voorbeeld Holding B.V." and company.updated_at > before
    entry = AuditEntry.objects.get(action="client.changed")
    assert (entry.actor, entry.data["fields"]) == (staff, ["name"])
    synced = api.get(f"{V1}/clients/", {"updated_since": company.updated_at.isoformat()})
    assert [row["id"] for row in synced.json()["results"]] == [company.pk]
    assert api.patch(f"{V1}/clients/{company.pk}/", {"name": ""}).status_code == 400

    off = api.post(f"{V1}/clients/{company.pk}/deactivate/")
    assert off.status_code == 200, off.content
    assert off.json()["active"] is False
    assert not company.accounts.filter(is_active=True).exists()
    assert AuditEntry.objects.filter(action="account.blocked").count() == 2
    assert AuditEntry.objects.filter(action="client.deactivated").count() == 1
    assert api.post(f"{V1}/clients/{company.pk}/deactivate/").status_code == 200
    assert AuditEntry.objects.filter(action="client.deactivated").count() == 1
    on = api.post(f"{V1}/clients/{company.pk}/reactivate/")
    assert on.json()["active"] is True
    assert company.accounts.filter(is_active=True).count() == 2
    assert AuditEntry.objects.filter(action="client.reactivated").count() == 1


def test_tick_one_step_keeps_the_others_R_OFF_6_R_DOS_5(api, world):
    """R-OFF-6 / R-OFF-2 / R-DOS-5: PATCH /dossiers/{id}/steps/{position}/ ticks off or unticks
    that step only (set_progress: audited, dossier.updated_at moves); the others keep their
    done flag and done_at; a position past the list is a 404."""
    dossier = world.person_dossier
    steps = [
        {"title": "Intake", "done": True},
        {"title": "Concept", "done": False},
        {"title": "Passeren", "done": False},
    ]
    assert api.put(f"{V1}/dossiers/{dossier.pk}/steps/", {"steps": steps}).status_code == 200
    first_done_at = dossier.steps.get(position=1).done_at
    dossier.refresh_from_db()
    before = dossier.updated_at
    ticked = api.patch(f"{V1}/dossiers/{dossier.pk}/steps/2/", {"done": True})
    assert ticked.status_code == 200, ticked.content
    assert ticked.json()["title"] == "Concept" and ticked.json()["done"] is True
    assert ticked.json()["done_at"]
    rows = list(dossier.steps.values_list("title", "done"))
    assert rows == [("Intake", True), ("Concept", True), ("Passeren", False)]
    assert dossier.steps.get(position=1).done_at == first_done_at
    dossier.refresh_from_db()
    assert dossier.updated_at > before
    assert AuditEntry.objects.filter(action="dossier.progress_set").count() == 2
    unticked = api.patch(f"{V1}/dossiers/{dossier.pk}/steps/1/", {"done": False})
    assert unticked.json() == {"position": 1, "title": "Intake", "done": False, "done_at": None}
    assert api.patch(f"{V1}/dossiers/{dossier.pk}/steps/4/", {"done": True}).status_code == 404
    assert api.patch(f"{V1}/dossiers/{dossier.pk}/steps/2/", {}).status_code == 400


def test_withdraw_a_published_document_R_OFF_6_R_OFF_3(
    api, world, django_capture_on_commit_callbacks
):
    """R-OFF-6 / R-OFF-3: POST /documents/{id}/withdraw/ takes back what the office published
    (withdraw_document: the row and the file go, audited with its SHA-256); a client's file
    is refused (400) and stays."""
    dossier = world.person_dossier
    published = dossier.documents.get(kind="document")
    supplied = dossier.documents.get(kind="supplied")
    storage, name = published.file.storage, published.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{V1}/documents/{published.pk}/withdraw/")
    assert response.status_code == 204, response.content
    assert not dossier.documents.filter(pk=published.pk).exists()
    assert not storage.exists(name)
    entry = AuditEntry.objects.get(action="document.withdrawn")
    assert entry.dossier == dossier and entry.data["sha256"] == published.sha256
    assert api.get(f"{V1}/documents/{published.pk}/").status_code == 404
    refused = api.post(f"{V1}/documents/{supplied.pk}/withdraw/")
    assert refused.status_code == 400
    assert dossier.documents.filter(pk=supplied.pk).exists()


def test_cancel_a_questionnaire_and_an_upload_request_R_OFF_6_R_OFF_5(api, world):
    """R-OFF-6 / R-OFF-5: POST /questionnaires/{id}/cancel/ and /upload-requests/{id}/cancel/
    take back an open request (cancel_action, audited): status "cancelled", the client no
    longer sees it; cancelling what is no longer open is a 400."""
    dossier, client = world.person_dossier, world.owner.client
    template = sized_template(2)
    sent = api.post(
        f"{V1}/questionnaires/",
        {"template": template.pk, "dossier": dossier.pk, "client": client.pk},
    ).json()
    asked = api.post(
        f"{V1}/upload-requests/",
        {"dossier": dossier.pk, "client": client.pk, "title_nl": "Kopie paspoort"},
    ).json()
    assert Action.objects.visible_to(world.owner).count() == 2
    cancelled = api.post(f"{V1}/questionnaires/{sent['id']}/cancel/")
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    assert AuditEntry.objects.filter(action="questionnaire.cancelled").count() == 1
    assert api.post(f"{V1}/questionnaires/{sent['id']}/cancel/").status_code == 400
    # An upload request is not a questionnaire: its id is a 404 there.
    assert api.post(f"{V1}/questionnaires/{asked['id']}/cancel/").status_code == 404
    withdrawn = api.post(f"{V1}/upload-requests/{asked['id']}/cancel/")
    assert withdrawn.json()["status"] == "cancelled"
    assert AuditEntry.objects.filter(action="upload_request.cancelled").count() == 1
    assert Action.objects.visible_to(world.owner).count() == 0
    assert Action.objects.filter(status="cancelled").count() == 2


def test_the_office_writes_with_attachments_R_OFF_6_R_MSG_6(api, staff, world, settings):
    """R-OFF-6 / R-OFF-4 / R-MSG-6: POST /dossiers/{id}/messages/ (multipart) stages the files
    like the workspace's compose form and sends them with the message (send_message): the
    files become correspondence attached to it, audited; a refused file (empty, or past the
    upload limits) sends nothing and leaves nothing staged; a replay with the same
    Idempotency-Key sends nothing twice."""
    dossier = world.person_dossier
    url = f"{V1}/dossiers/{dossier.pk}/messages/"
    before = dossier.messages.count()

    def files(*names):
        return [SimpleUploadedFile(name, PDF, content_type="application/pdf") for name in names]

    sent = api.post(
        url,
        {
            "subject": "Concept akte",
            "body": "Bijgaand de stukken.",
            "files": files("a.pdf", "b.pdf"),
        },
        headers={"Idempotency-Key": "brief-1"},
        multipart=True,
    )
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert body["dossier"] == dossier.pk and body["author"] == staff.pk
    attached = Document.objects.filter(pk__in=body["attachments"])
    assert sorted(attached.values_list("original_name", "kind", "message")) == [
        ("a.pdf", "correspondence", body["id"]),
        ("b.pdf", "correspondence", body["id"]),
    ]
    assert AuditEntry.objects.filter(action="document.published", dossier=dossier).count() == 2
    assert AuditEntry.objects.get(action="message.sent", data__message=body["id"])
    replay = api.post(
        url,
        {
            "subject": "Concept akte",
            "body": "Bijgaand de stukken.",
            "files": files("a.pdf", "b.pdf"),
        },
        headers={"Idempotency-Key": "brief-1"},
        multipart=True,
    )
    assert replay.status_code == 201 and replay.json()["id"] == body["id"]
    assert dossier.messages.count() == before + 1

    # The first file staged, the second refused by the upload check: neither is kept.
    program = SimpleUploadedFile("tool.exe", b"MZ\x90\x00" + b"\x00" * 60)
    refused = api.post(
        url,
        {"subject": "Nog een", "body": "Tekst", "files": [*files("c.pdf"), program]},
        multipart=True,
    )
    assert refused.status_code == 400, refused.content
    assert "tool.exe" in str(refused.json()["errors"]["files"])
    empty = SimpleUploadedFile("leeg.pdf", b"", content_type="application/pdf")
    assert (
        api.post(
            url, {"subject": "Nog een", "body": "Tekst", "files": [empty]}, multipart=True
        ).status_code
        == 400
    )
    settings.UPLOAD_MAX_FILES = 1
    too_many = api.post(
        url,
        {"subject": "Nog een", "body": "Tekst", "files": files("d.pdf", "e.pdf")},
        multipart=True,
    )
    assert too_many.status_code == 400, too_many.content
    assert "e.pdf" in str(too_many.json())
    without = api.post(url, {"subject": "Nog een", "body": "Tekst"}, multipart=True)
    assert without.status_code == 400
    assert dossier.messages.count() == before + 1
    assert not StagedUpload.objects.exists()
    assert not Document.objects.filter(original_name__in=["c.pdf", "d.pdf"]).exists()


def _queries(api, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_the_added_lists_run_a_fixed_number_of_queries_R_OFF_6(api, config_api):
    """R-OFF-6: the staff list and the webhook endpoints' list cost the same number of queries
    with 2 rows as with 30 (like tests/test_api_query_counts.py)."""
    api.get(f"{V1}/staff/")  # the tokens' "last used" is written once a minute: now
    config_api.get(f"{V1}/webhook-endpoints/")

    def add(n):
        for i in range(n):
            StaffFactory()
            WebhookEndpoint.objects.create(office=Office.current(), url=f"https://h{i}.test/")

    add(2)
    few = (_queries(api, f"{V1}/staff/"), _queries(config_api, f"{V1}/webhook-endpoints/"))
    add(28)
    many = (_queries(api, f"{V1}/staff/"), _queries(config_api, f"{V1}/webhook-endpoints/"))
    assert few == many
    assert max(many) <= 8, many
