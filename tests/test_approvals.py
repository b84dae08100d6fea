"""Approval requests under "Acties" (R-SIG-4): staff ask a dossier's clients to approve a
published document; each client answers "Akkoord" or "Niet akkoord" with a remark; the answer
keeps the file's SHA-256, who, when and from where; staff see it in the inbox and on the dossier;
webhook ``approval.answered``; content-free reminder e-mails before the date."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format

from portal.audit.models import AuditEntry
from portal.documents import services as document_services
from portal.documents.models import Document
from portal.integrations.models import WebhookEndpoint
from portal.offices.models import Office
from portal.questionnaires import approvals
from portal.questionnaires.models import Action, ApprovalRequest
from portal.questionnaires.tasks import send_approval_reminders

from .factories import DossierFactory, StaffFactory, UserFactory, grant
from .mail import send_mail_to, smtp_server
from .test_webhooks import Receiver, verifies
from .workspace_helpers import staff_http

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def staff(db):
    return StaffFactory(email="notaris@office.test")


@pytest.fixture
def buyer(db):
    return UserFactory(email="koper@example.test", full_name="Anna Koper", language="nl")


@pytest.fixture
def second_buyer(db):
    return UserFactory(email="koper2@example.test", full_name="Bram Koper", language="nl")


@pytest.fixture
def dossier(buyer, second_buyer):
    dossier = DossierFactory(number="2026.0300", description="Levering Kerkstraat 1")
    grant(dossier, buyer.client)
    grant(dossier, second_buyer.client)
    return dossier


@pytest.fixture
def document(dossier, staff, run):
    return run(
        document_services.publish_document,
        dossier=dossier,
        kind=Document.Kind.DOCUMENT,
        title="Concept akte van levering",
        file=ContentFile(PDF, name="concept.pdf"),
        by=staff,
    )


@pytest.fixture
def sent(dossier, document, buyer, second_buyer, staff, run):
    """One request per client: both buyers answer for themselves."""
    return run(
        approvals.request_approval,
        dossier=dossier,
        document=document,
        clients=[buyer.client, second_buyer.client],
        due_date=timezone.localdate() + timedelta(days=7),
        explanation="Graag voor de passeerdatum.",
        by=staff,
    )


def mine(actions: list[Action], user) -> Action:
    return next(a for a in actions if a.client_id == user.client_id)


def http_for(user) -> HttpClient:
    http = HttpClient(REMOTE_ADDR="192.0.2.44")
    http.force_login(user)
    return http


def test_staff_send_from_the_dossier_page_one_action_per_client_R_SIG_4(
    staff, dossier, document, buyer, second_buyer
):
    """R-SIG-4: the dossier page's form asks the chosen clients; each gets its own action."""
    http = staff_http(staff)
    page = http.get(f"/kantoor/dossiers/{dossier.pk}/")
    assert "Vraag akkoord op een document" in page.content.decode()
    response = http.post(
        f"/kantoor/dossiers/{dossier.pk}/akkoordverzoek/",
        {
            "approval-document": document.pk,
            "approval-clients": [buyer.client_id, second_buyer.client_id],
            "approval-due_date": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "approval-explanation": "Graag reageren.",
        },
    )
    assert response.status_code == 302
    actions = Action.objects.filter(kind=Action.Kind.APPROVAL)
    assert sorted(a.client_id for a in actions) == sorted([buyer.client_id, second_buyer.client_id])
    assert {a.approval.document_id for a in actions} == {document.pk}
    assert AuditEntry.objects.filter(action="approval.sent").count() == 2


def test_staff_form_refuses_bad_input_and_keeps_it_R_SIG_4(staff, dossier, document, buyer):
    """R-SIG-4: no client, a past date or an over-long explanation: a clear message, nothing
    sent, what was typed still there."""
    http = staff_http(staff)
    url = f"/kantoor/dossiers/{dossier.pk}/akkoordverzoek/"
    response = http.post(url, {"approval-document": document.pk, "approval-clients": []})
    assert response.status_code == 400
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = http.post(
        url,
        {
            "approval-document": document.pk,
            "approval-clients": [buyer.client_id],
            "approval-due_date": past,
            "approval-explanation": "Mijn uitleg",
        },
    )
    assert response.status_code == 400
    assert "De datum ligt in het verleden." in response.content.decode()
    assert "Mijn uitleg" in response.content.decode()
    long_text = "x" * (approvals.MAX_EXPLANATION_CHARS + 1)
    response = http.post(
        url,
        {
            "approval-document": document.pk,
            "approval-clients": [buyer.client_id],
            "approval-explanation": long_text,
        },
    )
    assert response.status_code == 400
    assert long_text in response.content.decode()
    assert not Action.objects.filter(kind=Action.Kind.APPROVAL).exists()


def test_client_sees_it_under_acties_and_approves_hash_recorded_R_SIG_4(sent, buyer, document, run):
    """R-SIG-4: under "Acties", "Bekijken" opens the document in the viewer (R-SIG-3);
    "Akkoord" records the answer with the SHA-256 of the stored file, who, when and from which
    address."""
    action = mine(sent, buyer)
    http = http_for(buyer)
    listing = http.get("/acties/").content.decode()
    assert f"/acties/{action.pk}/akkoord/" in listing
    assert "Verzoek om akkoord" in listing
    due = action.approval.due_date
    with translation.override("nl"):
        assert f"uiterlijk {date_format(due, 'j F Y')}" in listing
    page = http.get(f"/acties/{action.pk}/akkoord/").content.decode()
    view_url = f"/dossiers/{action.dossier_id}/documenten/{document.pk}/bekijken/"
    assert view_url in page
    assert http.get(view_url).status_code == 200
    assert "Graag voor de passeerdatum." in page
    response = run(http.post, f"/acties/{action.pk}/akkoord/", {"answer": "approved", "remark": ""})
    assert response.status_code == 302
    approval = ApprovalRequest.objects.get(action=action)
    assert approval.answer == "approved"
    assert approval.document_sha256 == hashlib.sha256(PDF).hexdigest()
    assert approval.answered_by == buyer
    assert approval.answered_from == "192.0.2.44"
    assert approval.answered_at is not None
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETED
    assert AuditEntry.objects.filter(action="approval.approved", dossier=action.dossier).exists()
    assert (
        "U bent akkoord gegaan met dit document."
        in http.get(f"/acties/{action.pk}/akkoord/").content.decode()
    )


def test_niet_akkoord_needs_a_remark_and_keeps_it_R_SIG_4(sent, buyer):
    """R-SIG-4: "Niet akkoord" without a remark is refused (nothing saved); with one it is
    recorded. A remark over the limit is refused whole, never cut."""
    action = mine(sent, buyer)
    http = http_for(buyer)
    url = f"/acties/{action.pk}/akkoord/"
    response = http.post(url, {"answer": "rejected", "remark": "   "})
    assert response.status_code == 400
    assert "Geef aan waarmee u het niet eens bent." in response.content.decode()
    too_long = "y" * (approvals.MAX_REMARK_CHARS + 1)
    response = http.post(url, {"answer": "rejected", "remark": too_long})
    assert response.status_code == 400
    assert too_long in response.content.decode()
    assert not ApprovalRequest.objects.get(action=action).answered_at
    response = http.post(url, {"answer": "rejected", "remark": "De koopprijs klopt niet."})
    assert response.status_code == 302
    approval = ApprovalRequest.objects.get(action=action)
    assert approval.answer == "rejected" and approval.remark == "De koopprijs klopt niet."
    assert AuditEntry.objects.filter(action="approval.rejected").exists()


def test_answered_or_cancelled_cannot_be_answered_again_R_SIG_4(sent, buyer, second_buyer, staff):
    """R-SIG-4: once answered it is done; a cancelled request says so and takes no answer."""
    action = mine(sent, buyer)
    http = http_for(buyer)
    url = f"/acties/{action.pk}/akkoord/"
    assert http.post(url, {"answer": "approved"}).status_code == 302
    response = http.post(url, {"answer": "rejected", "remark": "Toch niet"}, follow=True)
    assert "Dit verzoek is al beantwoord." in response.content.decode()
    assert ApprovalRequest.objects.get(action=action).answer == "approved"

    other = mine(sent, second_buyer)
    assert approvals.cancel_approval(action=other, by=staff)
    http2 = http_for(second_buyer)
    url2 = f"/acties/{other.pk}/akkoord/"
    page = http2.get(url2).content.decode()
    assert "Het kantoor heeft dit verzoek ingetrokken." in page
    response = http2.post(url2, {"answer": "approved"}, follow=True)
    assert "Het kantoor heeft dit verzoek ingetrokken." in response.content.decode()
    assert not ApprovalRequest.objects.get(action=other).answered_at
    assert f"/acties/{other.pk}/" not in http2.get("/acties/").content.decode()


def test_withdrawn_document_cannot_be_approved_R_SIG_4(sent, buyer, document, staff):
    action = mine(sent, buyer)
    document_services.withdraw_document(document=document, by=staff)
    http = http_for(buyer)
    url = f"/acties/{action.pk}/akkoord/"
    page = http.get(url).content.decode()
    assert "Het kantoor heeft dit document ingetrokken" in page
    response = http.post(url, {"answer": "approved"}, follow=True)
    assert "Het kantoor heeft dit document ingetrokken" in response.content.decode()
    assert not ApprovalRequest.objects.get(action=action).answered_at


def test_other_clients_request_is_404_R_SIG_4(sent, buyer, second_buyer, dossier):
    """R-SIG-4: a client of the same dossier without that request cannot open or answer it;
    a client of another dossier gets 404 too."""
    theirs = mine(sent, second_buyer)
    http = http_for(buyer)
    assert http.get(f"/acties/{theirs.pk}/akkoord/").status_code == 404
    assert http.post(f"/acties/{theirs.pk}/akkoord/", {"answer": "approved"}).status_code == 404
    stranger = UserFactory(email="vreemde@example.test")
    grant(DossierFactory(), stranger.client)
    http = http_for(stranger)
    assert http.get(f"/acties/{theirs.pk}/akkoord/").status_code == 404
    assert not ApprovalRequest.objects.get(action=theirs).answered_at
    with pytest.raises(approvals.NotAnswerable):
        approvals.answer_approval(action=theirs, approved=True, remark="", by=buyer)


def test_staff_see_the_answer_in_the_inbox_and_on_the_dossier_R_SIG_4(sent, buyer, staff):
    """R-SIG-4: an answered request is in the inbox with its answer; the action page shows
    answer, remark, who, the address and the hash; staff may cancel an open one."""
    action = mine(sent, buyer)
    http_for(buyer).post(
        f"/acties/{action.pk}/akkoord/", {"answer": "rejected", "remark": "Naam verkeerd"}
    )
    http = staff_http(staff)
    inbox = http.get("/kantoor/").content.decode()
    assert "Beantwoorde verzoeken om akkoord" in inbox
    assert f"/kantoor/acties/{action.pk}/" in inbox
    assert "Niet akkoord" in inbox
    dossier_page = http.get(f"/kantoor/dossiers/{action.dossier_id}/").content.decode()
    assert (
        "Verzoek om akkoord, " in dossier_page and ": <strong>Niet akkoord</strong>" in dossier_page
    )
    page = http.get(f"/kantoor/acties/{action.pk}/").content.decode()
    assert "Naam verkeerd" in page and hashlib.sha256(PDF).hexdigest() in page
    assert "192.0.2.44" in page
    assert f"/kantoor/acties/{action.pk}/intrekken/" not in page
    open_one = next(a for a in sent if a.pk != action.pk)
    assert (
        f"/kantoor/acties/{open_one.pk}/intrekken/"
        in http.get(f"/kantoor/acties/{open_one.pk}/").content.decode()
    )
    assert http.post(f"/kantoor/acties/{open_one.pk}/intrekken/").status_code == 302
    open_one.refresh_from_db()
    assert open_one.status == Action.Status.CANCELLED
    assert AuditEntry.objects.filter(action="approval.cancelled").count() == 1
    # An answered request cannot be cancelled.
    http.post(f"/kantoor/acties/{action.pk}/intrekken/")
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETED


def test_webhook_approval_answered_is_delivered_R_SIG_4(sent, buyer, run):
    """R-SIG-4: ``approval.answered`` is POSTed signed to a receiver on loopback: ids, the
    answer and the hash, never the remark."""
    action = mine(sent, buyer)
    with Receiver([200]) as receiver:
        endpoint = WebhookEndpoint.objects.create(office=Office.current(), url=receiver.url)
        run(
            approvals.answer_approval,
            action=action,
            approved=False,
            remark="Geheime opmerking",
            by=buyer,
        )
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert verifies(endpoint.secret, body, headers)
    payload = json.loads(body)
    assert payload["event"] == "approval.answered"
    assert payload["data"] == {
        "type": "approval",
        "approval": action.pk,
        "dossier": action.dossier_id,
        "client": buyer.client_id,
        "document": action.approval.document_id,
        "answer": "rejected",
        "document_sha256": hashlib.sha256(PDF).hexdigest(),
    }
    assert b"Geheime" not in body


@pytest.mark.smtp
def test_reminders_before_the_date_once_content_free_over_smtp_R_SIG_4(
    settings, dossier, document, buyer, staff, run, django_capture_on_commit_callbacks
):
    """R-SIG-4: a reminder two days before the date and one on the day, each once, to the
    client's accounts only, over a real SMTP server on loopback; no title, dossier or date."""
    today = timezone.localdate()
    due = today + timedelta(days=5)
    (action,) = run(
        approvals.request_approval,
        dossier=dossier,
        document=document,
        clients=[buyer.client],
        due_date=due,
        by=staff,
    )
    with smtp_server() as (inbox, port):
        send_mail_to(settings, port)

        def sweep(day):
            with django_capture_on_commit_callbacks(execute=True):
                return approvals.send_due_reminders(today=day)

        assert sweep(today) == 0  # 5 days before: nothing yet
        assert sweep(due - timedelta(days=2)) == 1
        assert sweep(due - timedelta(days=2)) == 0  # once
        assert sweep(due - timedelta(days=1)) == 0
        assert sweep(due) == 1
        assert sweep(due) == 0
        assert sweep(due + timedelta(days=1)) == 0
    assert [rcpt for rcpt, _m in inbox.messages] == [[buyer.email], [buyer.email]]
    for _rcpt, message in inbox.messages:
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        for secret in (
            "Concept akte",
            "2026.0300",
            "Kerkstraat",
            due.isoformat(),
            str(due.day) + " ",
        ):
            assert secret not in text and secret not in html and secret not in message["Subject"]
        assert "Herinnering" in message["Subject"]
    assert AuditEntry.objects.filter(action="approval.reminded", dossier=dossier).count() == 2


def test_answered_request_gets_no_reminder_and_beat_task_runs_per_office_R_SIG_4(
    sent, buyer, mailoutbox, run
):
    """R-SIG-4: the beat task reminds only open requests (the answered one is left alone)."""
    action = mine(sent, buyer)
    run(approvals.answer_approval, action=action, approved=True, remark="", by=buyer)
    ApprovalRequest.objects.update(due_date=timezone.localdate())
    mailoutbox.clear()
    assert run(send_approval_reminders) == 1
    assert all(message.to != [buyer.email] for message in mailoutbox)


def test_client_page_query_count_is_fixed_R_SIG_4(dossier, document, buyer, staff):
    """The approval page and the actions list cost the same number of queries with 1 or 20
    requests."""
    http = http_for(buyer)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url).status_code == 200
        return len(queries)

    (first,) = approvals.request_approval(
        dossier=dossier, document=document, clients=[buyer.client], by=staff
    )
    few = count(f"/acties/{first.pk}/akkoord/"), count("/acties/")
    for _ in range(19):
        approvals.request_approval(
            dossier=dossier, document=document, clients=[buyer.client], by=staff
        )
    assert (count(f"/acties/{first.pk}/akkoord/"), count("/acties/")) == few


def test_workspace_pages_query_count_is_fixed_R_SIG_4(dossier, document, buyer, staff):
    """The inbox, the dossier page and an answered request's page cost the same number of
    queries with 1 or 20 answered requests."""
    http = staff_http(staff)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url).status_code == 200
        return len(queries)

    def answered() -> Action:
        (action,) = approvals.request_approval(
            dossier=dossier, document=document, clients=[buyer.client], by=staff
        )
        approvals.answer_approval(action=action, approved=False, remark="Nee", by=buyer)
        return action

    first = answered()
    urls = ["/kantoor/", f"/kantoor/dossiers/{dossier.pk}/", f"/kantoor/acties/{first.pk}/"]
    few = [count(url) for url in urls]
    for _ in range(19):
        answered()
    assert [count(url) for url in urls] == few
    assert "Niet akkoord" in http.get("/kantoor/").content.decode()
