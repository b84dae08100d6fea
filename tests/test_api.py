"""The REST API's contract, per resource (R-OFF-6): status codes and fields; every change goes
through the domain services (audit entries, e-mails); every call is in the audit trail (R-X-1).
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.accounts.models import Client, User
from portal.audit.models import AuditEntry
from portal.documents import services as document_services
from portal.documents.models import Document
from portal.dossiers.models import Dossier, DossierAccess
from portal.integrations.models import ApiToken, IdempotencyRecord
from portal.messaging import services as message_services
from portal.messaging.models import Message
from portal.notifications.models import OutgoingEmail
from portal.questionnaires import approvals
from portal.questionnaires.models import Action

from .api_helpers import Api, make_token
from .api_problems import problem
from .factories import ClientFactory, DossierFactory, StaffFactory, StatusFactory, UserFactory
from .pdfs import PDF, minimal_pdf
from .questionnaire_helpers import sized_template

V1 = "/api/v1"


@pytest.fixture
def staff(db):
    return StaffFactory(email="koppeling@office.test")


@pytest.fixture
def token(staff):
    return make_token(staff)


@pytest.fixture
def api(token):
    return Api(token[1])


def test_create_a_client_and_invite_it_R_OFF_6(api, staff):
    """R-OFF-6 / R-ACC-1: POST /clients/ creates a person through create_client and invites."""
    response = api.post(
        f"{V1}/clients/",
        {"kind": "person", "name": "Jan de Vries", "email": "Jan@Example.test", "language": "nl"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "kind", "name", "reference", "created_at", "updated_at", "accounts"}
    assert body["accounts"][0]["email"] == "jan@example.test"
    assert body["accounts"][0]["password_set"] is False
    client = Client.objects.get(pk=body["id"])
    assert OutgoingEmail.objects.filter(to="jan@example.test").count() == 1
    created = AuditEntry.objects.get(action="client.created")
    assert created.actor == staff

    again = api.post(f"{V1}/clients/{client.pk}/invite/")
    assert again.status_code == 202
    assert OutgoingEmail.objects.filter(to="jan@example.test").count() == 2

    duplicate = api.post(
        f"{V1}/clients/", {"kind": "person", "name": "Jan", "email": "jan@example.test"}
    )
    assert "email" in problem(duplicate, 400, "invalid")["errors"]

    listed = api.get(f"{V1}/clients/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [client.pk]
    assert set(listed.json()) == {"next", "previous", "results"}


def test_company_extra_account_R_ME_4(api):
    """R-ME-4 / R-OFF-6: an extra account for a company; a person cannot have one."""
    company = ClientFactory(company=True)
    response = api.post(
        f"{V1}/clients/{company.pk}/accounts/",
        {"email": "boekhouding@bedrijf.test", "full_name": "Boekhouding", "invite": False},
    )
    assert response.status_code == 201, response.content
    assert response.json()["is_main_account"] is False
    assert User.objects.get(email="boekhouding@bedrijf.test").client == company

    person = ClientFactory()
    refused = api.post(
        f"{V1}/clients/{person.pk}/accounts/",
        {"email": "x@bedrijf.test", "full_name": "X"},
    )
    assert refused.status_code == 400


def test_dossier_create_update_grants_and_steps_R_OFF_1_R_OFF_2(api, staff):
    """R-OFF-1/2 / R-OFF-6: create a dossier, change status and handler, grant and revoke
    access, replace the progress steps — each through the dossier services, audited."""
    status = StatusFactory(name="Intake")
    done_status = StatusFactory(name="Afgerond", in_progress=False)
    response = api.post(
        f"{V1}/dossiers/",
        {"number": "2026.0500", "description": "Levering woning", "status": status.pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {
        "id",
        "number",
        "description",
        "status",
        "handler",
        "clients",
        "created_at",
        "updated_at",
        "closed_at",
    }
    assert body["closed_at"] is None  # an open status (R-RET-1)
    dossier_id = body["id"]
    assert (
        api.post(
            f"{V1}/dossiers/", {"number": "2026.0500", "description": "x", "status": status.pk}
        ).status_code
        == 400
    )

    changed = api.patch(
        f"{V1}/dossiers/{dossier_id}/", {"status": done_status.pk, "handler": staff.pk}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["status"] == done_status.pk
    assert changed.json()["handler"] == staff.pk
    assert AuditEntry.objects.filter(action="dossier.updated", dossier_id=dossier_id).exists()
    client_user = UserFactory(email="c@example.test")
    assert api.patch(f"{V1}/dossiers/{dossier_id}/", {"handler": client_user.pk}).status_code == 400

    granted = api.post(f"{V1}/dossiers/{dossier_id}/grants/", {"client": client_user.client_id})
    assert granted.status_code == 201, granted.content
    assert Dossier.objects.visible_to(client_user).filter(pk=dossier_id).exists()
    assert api.get(f"{V1}/dossiers/{dossier_id}/").json()["clients"] == [client_user.client_id]
    assert api.get(f"{V1}/dossiers/{dossier_id}/grants/").json()[0]["client"] == (
        client_user.client_id
    )
    revoked = api.delete(f"{V1}/dossiers/{dossier_id}/grants/{client_user.client_id}/")
    assert revoked.status_code == 204
    assert not Dossier.objects.visible_to(client_user).filter(pk=dossier_id).exists()
    assert (
        api.delete(f"{V1}/dossiers/{dossier_id}/grants/{client_user.client_id}/").status_code == 404
    )

    steps = api.put(
        f"{V1}/dossiers/{dossier_id}/steps/",
        {"steps": [{"title": "Intake", "done": True}, {"title": "Akte passeren"}]},
    )
    assert steps.status_code == 200, steps.content
    rows = api.get(f"{V1}/dossiers/{dossier_id}/steps/").json()["steps"]
    assert [(r["position"], r["title"], r["done"]) for r in rows] == [
        (1, "Intake", True),
        (2, "Akte passeren", False),
    ]
    assert rows[0]["done_at"] is not None
    assert AuditEntry.objects.filter(action="dossier.progress_set").exists()


def test_publish_list_and_download_documents_R_OFF_3(api, world):
    """R-OFF-3 / R-OFF-6: publish by multipart upload through publish_document; a refused
    file is a 400 with the reason; list with a kind filter; download a client's upload."""
    dossier = world.person_dossier
    response = api.post(
        f"{V1}/documents/",
        {
            "dossier": dossier.pk,
            "kind": "document",
            "title": "Concept akte",
            "file": SimpleUploadedFile("akte.pdf", PDF),
        },
        multipart=True,
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "document"
    assert response.json()["original_name"] == "akte.pdf"
    assert AuditEntry.objects.filter(action="document.published", dossier=dossier).exists()
    # Published with the office's seal (R-SIG-1): the answer gives the stored (sealed) file's
    # hash and the code its stamp carries, for the verify page (R-SIG-2).
    published = Document.objects.get(pk=response.json()["id"])
    with published.file.open("rb") as stream:
        sealed = stream.read()
    assert sealed.startswith(PDF) and len(sealed) > len(PDF)
    assert response.json()["sha256"] == hashlib.sha256(sealed).hexdigest()
    code = response.json()["verify_code"]
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert code.replace("-", "") == published.verify_code

    empty = api.post(
        f"{V1}/documents/",
        {"dossier": dossier.pk, "kind": "document", "file": SimpleUploadedFile("x.pdf", b"")},
        multipart=True,
    )
    assert "file" in problem(empty, 400, "invalid")["errors"]
    supplied_kind = api.post(
        f"{V1}/documents/",
        {"dossier": dossier.pk, "kind": "supplied", "file": SimpleUploadedFile("a.txt", b"a")},
        multipart=True,
    )
    assert supplied_kind.status_code == 400

    supplied = api.get(f"{V1}/documents/", {"kind": "supplied", "dossier": dossier.pk}).json()
    assert [row["kind"] for row in supplied["results"]] == ["supplied"]
    download = api.get(f"{V1}/documents/{supplied['results'][0]['id']}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"inhoud\n"
    assert download["Content-Disposition"].startswith("attachment")


def test_messages_list_post_and_mark_handled_R_OFF_4(api, world, staff):
    """R-OFF-4 / R-OFF-6: the office writes as the token's staff member; marks handled."""
    dossier = world.person_dossier
    from_client = message_services.send_message(
        dossier=dossier, sender=world.owner, subject="Vraag", body="Wanneer passeren we?"
    )
    response = api.post(
        f"{V1}/messages/",
        {
            "dossier": dossier.pk,
            "subject": "Re: Vraag",
            "body": "Op 1 mei.",
            "reply_to": from_client.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["direction"] == "incoming"
    assert body["author"] == staff.pk
    assert Message.objects.get(pk=body["id"]).author == staff

    too_long = api.post(
        f"{V1}/messages/", {"dossier": dossier.pk, "subject": "Lang", "body": "x" * 4001}
    )
    assert too_long.status_code == 400

    listed = api.get(f"{V1}/messages/", {"dossier": dossier.pk}).json()["results"]
    assert from_client.pk in [row["id"] for row in listed]

    open_ones = api.get(f"{V1}/messages/", {"open": "true"}).json()["results"]
    assert open_ones == []  # the reply marked it handled
    other = message_services.send_message(
        dossier=dossier, sender=world.owner, subject="Nog iets", body="Tekst"
    )
    handled = api.post(f"{V1}/messages/{other.pk}/handled/")
    assert handled.status_code == 200
    assert handled.json()["handled_at"] is not None
    assert api.post(f"{V1}/messages/{other.pk}/handled/").status_code == 200


def test_questionnaires_and_upload_requests_R_OFF_5(api, world):
    """R-OFF-5 / R-OFF-6: send a questionnaire from a template, read its answers, the PDF is a
    404 until made; ask for an upload and list it."""
    template = sized_template(3)
    dossier, client = world.person_dossier, world.owner.client
    response = api.post(
        f"{V1}/questionnaires/",
        {"template": template.pk, "dossier": dossier.pk, "client": client.pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open"
    assert [a["question_nl"] for a in body["answers"]] == ["Vraag 0", "Vraag 1", "Vraag 2"]
    action = Action.objects.get(pk=body["id"])
    action.answers = {"q" + a["key"][1:]: "ja" for a in body["answers"]}
    action.save()
    detail = api.get(f"{V1}/questionnaires/{action.pk}/").json()
    assert {a["answer"] for a in detail["answers"]} == {"ja"}
    assert api.get(f"{V1}/questionnaires/{action.pk}/pdf/").status_code == 404

    no_grant = api.post(
        f"{V1}/questionnaires/",
        {"template": template.pk, "dossier": dossier.pk, "client": world.other.client_id},
    )
    assert no_grant.status_code == 400

    asked = api.post(
        f"{V1}/upload-requests/",
        {"dossier": dossier.pk, "client": client.pk, "title_nl": "Kopie legitimatiebewijs"},
    )
    assert asked.status_code == 201, asked.content
    assert asked.json()["documents"] == []
    listed = api.get(f"{V1}/upload-requests/").json()["results"]
    assert [row["id"] for row in listed] == [asked.json()["id"]]
    assert api.get(f"{V1}/questionnaire-templates/").json()["results"][0]["id"] == template.pk


def test_cursor_pagination_and_updated_since_R_OFF_6(api):
    """R-OFF-6: cursor pages in (updated_at, id) order; ``updated_since`` for synchronising."""
    status = StatusFactory(name="Intake")
    for _ in range(5):
        DossierFactory(status=status)
    first = api.get(f"{V1}/dossiers/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    seen = [row["id"] for row in first["results"]]
    page = first
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert sorted(seen) == sorted(Dossier.objects.values_list("pk", flat=True))
    assert len(seen) == 5

    moment = timezone.now()
    later = Dossier.objects.order_by("pk").first()
    later.description = "Gewijzigd"
    later.save()
    changed = api.get(f"{V1}/dossiers/", {"updated_since": moment.isoformat()}).json()
    assert [row["id"] for row in changed["results"]] == [later.pk]
    assert api.get(f"{V1}/dossiers/", {"updated_since": "gisteren"}).status_code == 400


def test_idempotency_key_creates_once_R_OFF_6(api, token):
    """R-OFF-6: the same key twice → one client, the same response; another body → 422."""
    data = {"kind": "person", "name": "Eenmalig", "email": "een@example.test"}
    headers = {"Idempotency-Key": "abc-123"}
    first = api.post(f"{V1}/clients/", data, headers=headers)
    second = api.post(f"{V1}/clients/", data, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Client.objects.filter(name="Eenmalig").count() == 1
    assert OutgoingEmail.objects.filter(to="een@example.test").count() == 1

    other = api.post(f"{V1}/clients/", {**data, "name": "Anders"}, headers=headers)
    assert other.status_code == 422
    assert Client.objects.filter(name="Anders").count() == 0

    # Another token may use the same key for its own request.
    _other_token, raw = make_token(token[0].acting_user, name="Tweede")
    assert (
        Api(raw)
        .post(f"{V1}/clients/", {**data, "email": "twee@example.test"}, headers=headers)
        .status_code
        == 201
    )
    assert IdempotencyRecord.objects.count() == 2


def test_idempotent_multipart_publish_R_OFF_6(api, world):
    """R-OFF-6: a repeated upload with the same key publishes one document."""
    dossier = world.person_dossier
    before = dossier.documents.count()

    def publish():
        return api.post(
            f"{V1}/documents/",
            {
                "dossier": dossier.pk,
                "kind": "correspondence",
                "file": SimpleUploadedFile("brief.txt", b"Geachte heer,\n"),
            },
            headers={"Idempotency-Key": "upload-1"},
            multipart=True,
        )

    assert publish().status_code == 201
    assert publish().status_code == 201
    assert dossier.documents.count() == before + 1


def test_every_call_is_audited_without_the_secret_R_X_1(api, token, staff):
    """R-X-1: every API call (also a refused one) is in the audit trail with the token's name
    as actor label, the path and the status; no token secret is stored anywhere in it."""
    api.get(f"{V1}/clients/")
    api.get(f"{V1}/dossiers/999999/")
    Api("kp_deadbeef_wrong").get(f"{V1}/clients/")
    entries = list(AuditEntry.objects.filter(action__startswith="api.").order_by("pk"))
    assert [(e.action, e.data["path"], e.data["status"]) for e in entries] == [
        ("api.get", f"{V1}/clients/", 200),
        ("api.get", f"{V1}/dossiers/999999/", 404),
        ("api.get", f"{V1}/clients/", 401),
    ]
    assert entries[0].actor_label == "Dossierbeheer"
    assert entries[0].actor == staff
    raw = token[1]
    secret = raw.split("_", 2)[2]
    for entry in AuditEntry.objects.all():
        assert secret not in str(entry.data) + entry.target + entry.actor_label
    assert ApiToken.objects.get(pk=token[0].pk).last_used_at is not None


@pytest.mark.parametrize(
    "value",
    ["2755-03-25T15:26:26.2+17:37", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"],
)
def test_updated_since_with_extreme_offsets_R_OFF_6(api, value):
    """Found by schemathesis on PostgreSQL: an offset the database refuses is converted to UTC
    first; a moment outside the representable range is a 400, never a 500."""
    assert api.get(f"{V1}/dossiers/", {"updated_since": value}).status_code in (200, 400)


def test_last_used_is_kept_to_the_minute_R_OFF_6(db):
    """R-OFF-6: the token's "last used" is written once a minute, not on every call (issue 9:
    one UPDATE less per API call); a call after a minute moves it on."""
    from datetime import timedelta

    token, raw = make_token(StaffFactory())
    api = Api(raw)
    assert api.get(f"{V1}/dossiers/").status_code == 200
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    assert api.get(f"{V1}/dossiers/").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    assert api.get(f"{V1}/dossiers/").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - timedelta(seconds=1)
    assert ApiToken.objects.get(pk=token.pk).last_used_at <= timezone.now()


# --- R-SIG-4: approval requests ------------------------------------------------------------------


def _published(dossier) -> Document:
    return document_services.publish_document(
        dossier=dossier,
        kind=Document.Kind.DOCUMENT,
        title="Nota van afrekening",
        file=ContentFile(minimal_pdf("Nota"), name="nota.pdf"),
    )


def test_approval_requests_create_read_cancel_R_SIG_4(api, world):
    """R-SIG-4 / R-OFF-6: create requests for two clients (one each), read the list and a
    detail with the answer and the file's hash, cancel an open one; problem details on bad
    input."""
    dossier = world.company_dossier
    other_client = world.owner.client
    DossierAccess.objects.get_or_create(dossier=dossier, client=other_client)
    document = _published(dossier)
    company = world.company_main.client
    due = (timezone.localdate() + timedelta(days=4)).isoformat()
    response = api.post(
        f"{V1}/approval-requests/",
        {
            "dossier": dossier.pk,
            "document": document.pk,
            "clients": [company.pk, other_client.pk],
            "due_date": due,
            "explanation": "Graag akkoord.",
        },
    )
    assert response.status_code == 201, response.content
    rows = response.json()["results"]
    assert [r["client"] for r in rows] == [company.pk, other_client.pk]
    assert all(r["status"] == "open" and r["answer"] == "" and r["due_date"] == due for r in rows)
    first, second = rows
    action = Action.objects.get(pk=first["id"])
    approvals.answer_approval(action=action, approved=True, remark="", by=world.company_main)
    detail = api.get(f"{V1}/approval-requests/{first['id']}/").json()
    assert detail["status"] == "completed" and detail["answer"] == "approved"
    assert detail["answered_by"] == world.company_main.pk
    assert detail["document_sha256"] == document.sha256  # the stored (sealed) file's
    listed = api.get(f"{V1}/approval-requests/", {"dossier": dossier.pk}).json()["results"]
    assert {row["id"] for row in listed} == {first["id"], second["id"]}

    cancelled = api.post(f"{V1}/approval-requests/{second['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    problem(api.post(f"{V1}/approval-requests/{first['id']}/cancel/"), 400, "invalid")

    # Bad input: a client without access, no client, a past date, a document of another
    # dossier — each a problem, nothing made.
    before = Action.objects.filter(kind="approval").count()
    base = {"dossier": dossier.pk, "document": document.pk}
    problem(api.post(f"{V1}/approval-requests/", {**base, "clients": [world.other.client_id]}), 400)
    problem(api.post(f"{V1}/approval-requests/", {**base, "clients": []}), 400)
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    problem(
        api.post(f"{V1}/approval-requests/", {**base, "clients": [company.pk], "due_date": past}),
        400,
    )
    elsewhere = _published(world.person_dossier)
    problem(
        api.post(
            f"{V1}/approval-requests/",
            {**base, "document": elsewhere.pk, "clients": [company.pk]},
        ),
        400,
    )
    assert Action.objects.filter(kind="approval").count() == before
    problem(api.get(f"{V1}/approval-requests/999999/"), 404)
