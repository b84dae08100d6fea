"""The staff workspace under /kantoor/ (R-OFF-1..5, R-X-1, R-X-2 for staff): flows through the
pages, each change checked in the data, the audit trail and what the client sees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import Client, User
from portal.audit.models import AuditEntry
from portal.documents.models import Document, DocumentRead
from portal.dossiers import services as dossier_services
from portal.dossiers.models import Dossier
from portal.messaging import services as message_services
from portal.messaging.models import Message
from portal.questionnaires import services as action_services
from portal.questionnaires.models import Action
from portal.questionnaires.pdf import store_pdf

from .factories import PASSWORD, DossierFactory, StaffFactory, StepFactory, UserFactory, grant
from .questionnaire_helpers import sized_template
from .workspace_helpers import staff_http

TEXT = b"Dit is een gewone tekst.\n"


def text_file(name="brief.txt", content=TEXT):
    return SimpleUploadedFile(name, content, content_type="text/plain")


@pytest.fixture
def staff(db):
    return StaffFactory(email="handler@office.test", full_name="Handler")


@pytest.fixture
def http(staff):
    return staff_http(staff)


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.test")


@pytest.fixture
def dossier(owner, staff):
    dossier = DossierFactory(description="Levering woning Dorpsstraat 1", handler=staff)
    grant(dossier, owner.client)
    return dossier


def client_message(dossier, owner, subject="Vraag over de akte"):
    return message_services.send_message(
        dossier=dossier, sender=owner, subject=subject, body="Klopt dit?"
    )


# --- 1. two-step verification ------------------------------------------------------------------


def test_staff_without_2fa_are_sent_to_set_it_up_R_OFF_1_R_X_2(staff):
    http = staff_http(staff, verified=False)
    response = http.get("/kantoor/")
    assert response.status_code == 302
    assert response["Location"] == "/kantoor/verificatie/"
    page = http.get("/kantoor/verificatie/").content.decode()
    assert "/mijn-gegevens/verificatie/app/" in page


def test_staff_with_2fa_but_unverified_session_get_no_page_R_X_2(staff):
    TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    http = staff_http(staff, verified=False)
    assert http.get("/kantoor/").status_code == 403
    assert http.get("/kantoor/dossiers/").status_code == 403


def test_login_with_totp_opens_the_workspace_R_X_2(staff):
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    from django_otp.oath import totp

    http = HttpClient()
    response = http.post("/inloggen/", {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = http.post("/inloggen/code/", {"code": code})
    assert response.status_code == 302
    # The portal home sends staff to the workspace.
    assert http.get("/")["Location"] == "/kantoor/"
    assert http.get("/kantoor/").status_code == 200


def test_setting_up_totp_verifies_the_session_R_X_2(staff):
    from django_otp.oath import totp

    http = staff_http(staff, verified=False)
    assert http.post("/mijn-gegevens/verificatie/app/").status_code == 302
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = http.post("/mijn-gegevens/verificatie/app/code/", {"code": code})
    assert response.status_code == 200  # the recovery codes, once
    assert "/kantoor/" in response.content.decode()
    assert http.get("/kantoor/").status_code == 200


def test_clients_never_reach_the_workspace_R_OFF_1(owner, dossier):
    http = HttpClient()
    http.force_login(owner)
    assert http.get("/kantoor/").status_code == 404
    assert http.get(f"/kantoor/dossiers/{dossier.pk}/").status_code == 404
    # The office logo stays public.
    assert HttpClient().get("/kantoor/logo/").status_code in (200, 404)


# --- 2. inbox ----------------------------------------------------------------------------------


def test_inbox_counts_move_when_handled_R_OFF_4(http, dossier, owner, staff):
    message = client_message(dossier, owner)
    upload = message_services.send_message(
        dossier=dossier,
        sender=owner,
        subject="Bijlage",
        body="Zie bijlage",
    )
    doc = Document.objects.create(
        dossier=dossier,
        kind=Document.Kind.SUPPLIED,
        title="Paspoort",
        original_name="paspoort.txt",
        size=7,
        content_type="text/plain",
        sha256="0" * 64,
        file=SimpleUploadedFile("upload", b"inhoud\n"),
        message=upload,
        uploaded_by=owner,
    )
    action = action_services.request_upload(dossier=dossier, client=owner.client, title_nl="ID")
    Action.objects.filter(pk=action.pk).update(
        status=Action.Status.COMPLETED, completed_at=timezone.now()
    )
    page = http.get("/kantoor/")
    assert page.context["counts"] == {
        "messages": 2,
        "files": 1,
        "questionnaires": 0,
        "uploads": 1,
        "approvals": 0,
        "total": 4,
    }
    assert http.post(f"/kantoor/berichten/{message.pk}/afgehandeld/").status_code == 302
    assert http.post(f"/kantoor/documenten/{doc.pk}/gezien/").status_code == 302
    assert http.post(f"/kantoor/acties/{action.pk}/afgehandeld/").status_code == 302
    counts = http.get("/kantoor/").context["counts"]
    assert counts == {
        "messages": 1,
        "files": 0,
        "questionnaires": 0,
        "uploads": 0,
        "approvals": 0,
        "total": 1,
    }
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"message.handled", "document.seen_by_office", "action.handled"} <= actions
    # GET never changes state.
    assert http.get(f"/kantoor/berichten/{upload.pk}/afgehandeld/").status_code == 405


def test_inbox_mine_shows_only_my_dossiers_R_OFF_4(http, dossier, owner):
    other = DossierFactory(handler=StaffFactory())
    grant(other, owner.client)
    client_message(dossier, owner)
    client_message(other, owner)
    assert http.get("/kantoor/").context["counts"]["messages"] == 2
    assert http.get("/kantoor/?mine=1").context["counts"]["messages"] == 1


# --- 3. clients --------------------------------------------------------------------------------


def test_create_client_invite_and_accepted_state_R_OFF_1(http, staff, mailoutbox_dir=None):
    response = http.post(
        "/kantoor/klanten/nieuw/",
        {
            "kind": "person",
            "name": "Anna Jansen",
            "email": "Anna@Example.test",
            "language": "nl",
            "invite": "on",
        },
    )
    client = Client.objects.get(name="Anna Jansen")
    assert response["Location"] == f"/kantoor/klanten/{client.pk}/"
    user = client.accounts.get()
    assert user.email == "anna@example.test"
    assert user.tokens.filter(purpose="invitation").count() == 1
    page = http.get(response["Location"]).content.decode()
    assert "Not accepted yet" in page or "Nog niet geaccepteerd" in page
    # Send again: the first link stops working, a new one is issued.
    http.post(f"/kantoor/klanten/{client.pk}/accounts/{user.pk}/uitnodigen/")
    assert user.tokens.filter(purpose="invitation", used_at__isnull=True).count() == 1
    assert AuditEntry.objects.filter(action="account.invited", actor=staff).count() == 2
    user.password_set_at = timezone.now()
    user.save()
    rows = http.get("/kantoor/klanten/?q=anna").context["rows"]
    assert rows[0][1] == user


def test_company_extra_account_add_and_remove_R_OFF_1_R_ME_4(http):
    http.post(
        "/kantoor/klanten/nieuw/",
        {"kind": "company", "name": "Voorbeeld B.V.", "email": "main@bv.test", "language": "nl"},
    )
    company = Client.objects.get(name="Voorbeeld B.V.")
    response = http.post(
        f"/kantoor/klanten/{company.pk}/accounts/",
        {"full_name": "Boekhouding", "email": "boek@bv.test", "language": "en"},
    )
    assert response.status_code == 302
    extra = User.objects.get(email="boek@bv.test")
    assert extra.client == company and not extra.is_main_account
    main = User.objects.get(email="main@bv.test")
    assert (
        http.post(f"/kantoor/klanten/{company.pk}/accounts/{main.pk}/verwijderen/").status_code
        == 404
    )
    http.post(f"/kantoor/klanten/{company.pk}/accounts/{extra.pk}/verwijderen/")
    assert not User.objects.filter(pk=extra.pk).exists()
    assert AuditEntry.objects.filter(action="account.removed").exists()


def test_block_ends_sessions_R_OFF_1(http, owner, dossier):
    client_browser = HttpClient()
    client_browser.force_login(owner)
    assert client_browser.get("/dossiers/").status_code in (200, 302)
    http.post(
        f"/kantoor/klanten/{owner.client_id}/accounts/{owner.pk}/blokkeren/", {"blocked": "1"}
    )
    owner.refresh_from_db()
    assert not owner.is_active
    assert not Session.objects.filter(session_key=client_browser.session.session_key).exists()
    assert client_browser.get("/dossiers/").status_code == 302  # to the login page
    assert AuditEntry.objects.filter(action="account.blocked").exists()
    http.post(
        f"/kantoor/klanten/{owner.client_id}/accounts/{owner.pk}/blokkeren/", {"blocked": "0"}
    )
    owner.refresh_from_db()
    assert owner.is_active


# --- 4. dossiers -------------------------------------------------------------------------------


def test_dossier_create_status_and_handler_R_OFF_1(http, staff, dossier):
    status = dossier.status
    other = StaffFactory(email="colleague@office.test")
    response = http.post(
        "/kantoor/dossiers/nieuw/",
        {"number": "2026.9999", "description": "Testament", "status": status.pk, "handler": ""},
    )
    created = Dossier.objects.get(number="2026.9999")
    assert response["Location"] == f"/kantoor/dossiers/{created.pk}/"
    assert (
        http.post(
            "/kantoor/dossiers/nieuw/",
            {"number": "2026.9999", "description": "x", "status": status.pk},
        ).status_code
        == 200
    )  # the number exists: the form again
    from .factories import StatusFactory

    closed = StatusFactory(name="Afgerond", in_progress=False)
    http.post(
        f"/kantoor/dossiers/{created.pk}/wijzigen/",
        {"description": "Testament Jansen", "status": closed.pk, "handler": other.pk},
    )
    created.refresh_from_db()
    assert (created.description, created.status, created.handler) == (
        "Testament Jansen",
        closed,
        other,
    )
    entry = AuditEntry.objects.get(action="dossier.updated")
    assert set(entry.data["changes"]) == {"description", "status", "handler"}


def test_grant_and_revoke_access_R_OFF_1_R_DOS_6(http, dossier):
    newcomer = UserFactory(email="nieuw@example.test")
    client = HttpClient()
    client.force_login(newcomer)
    assert client.get(f"/dossiers/{dossier.pk}/").status_code == 404
    http.post(f"/kantoor/dossiers/{dossier.pk}/toegang/", {"email": "NIEUW@example.test"})
    assert client.get(f"/dossiers/{dossier.pk}/").status_code == 200
    response = http.post(f"/kantoor/dossiers/{dossier.pk}/toegang/", {"email": "geen@x.test"})
    assert response.status_code == 400
    http.post(f"/kantoor/dossiers/{dossier.pk}/toegang/{newcomer.client_id}/intrekken/")
    assert client.get(f"/dossiers/{dossier.pk}/").status_code == 404


def test_progress_step_title_over_the_limit_is_refused_not_cut_R_OFF_2(http, dossier):
    """R-OFF-2, issue 14 item 6: a step title longer than 200 characters (a request past the
    field's maxlength) is refused with its length and nothing of the list is changed; exactly
    200 characters is kept whole."""
    StepFactory(dossier=dossier, position=0, title="Concept")
    url = f"/kantoor/dossiers/{dossier.pk}/voortgang/"
    rows = {"step-count": "1", "step-0-title": "Concept", "step-0-position": "1"}
    response = http.post(url, {**rows, "step-0-done": "1", "new-title": "x" * 201}, follow=True)
    assert "201" in response.content.decode()
    assert list(dossier.steps.values_list("title", "done")) == [("Concept", False)]
    http.post(url, {**rows, "new-title": "y" * 200})
    assert list(dossier.steps.values_list("title", flat=True)) == ["Concept", "y" * 200]


def test_progress_add_reorder_tick_R_OFF_2(http, dossier):
    for i, title in enumerate(["Concept", "Ondertekenen", "Inschrijven"]):
        StepFactory(dossier=dossier, position=i, title=title)
    url = f"/kantoor/dossiers/{dossier.pk}/voortgang/"
    rows = {"step-count": "3"}
    for i, title in enumerate(["Concept", "Ondertekenen", "Inschrijven"]):
        rows[f"step-{i}-title"] = title
        rows[f"step-{i}-position"] = str(i + 1)
    http.post(url, {**rows, "step-0-done": "1", "new-title": "Afrekenen"})
    assert list(dossier.steps.values_list("title", "done")) == [
        ("Concept", True),
        ("Ondertekenen", False),
        ("Inschrijven", False),
        ("Afrekenen", False),
    ]
    # Reorder by position numbers, then by the "down" button; remove one.
    rows = {"step-count": "4"}
    for i, (title, pos) in enumerate(
        [("Concept", 2), ("Ondertekenen", 1), ("Inschrijven", 3), ("Afrekenen", 4)]
    ):
        rows[f"step-{i}-title"] = title
        rows[f"step-{i}-position"] = str(pos)
    http.post(url, {**rows, "step-3-delete": "1", "move": "down:1"})
    assert list(dossier.steps.values_list("title", flat=True)) == [
        "Concept",
        "Ondertekenen",
        "Inschrijven",
    ]
    # The client sees the ticked step.
    owner = dossier.grants.get().client.accounts.get()
    client = HttpClient()
    client.force_login(owner)
    assert "Ondertekenen" in client.get(f"/dossiers/{dossier.pk}/").content.decode()


def test_publish_several_files_with_a_refused_one_R_OFF_3(http, dossier, owner):
    response = http.post(
        f"/kantoor/dossiers/{dossier.pk}/publiceren/",
        {
            "kind": "document",
            "files": [
                text_file("concept-akte.txt"),
                text_file("bijlage.txt"),
                SimpleUploadedFile("virus.exe", b"MZ\x90\x00binary", content_type="x/y"),
            ],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "virus.exe" in page
    titles = set(dossier.documents.filter(kind="document").values_list("original_name", flat=True))
    assert titles == {"concept-akte.txt", "bijlage.txt"}
    client = HttpClient()
    client.force_login(owner)
    assert "concept-akte.txt" in client.get(f"/dossiers/{dossier.pk}/documenten/").content.decode()


def test_publish_title_with_several_files_is_numbered_and_said_R_OFF_3(http, dossier):
    """R-OFF-3, issue 14 item 3: a title typed for several files is not dropped: each file gets
    it numbered, the form says so before sending, and the message names the titles used."""
    form_page = http.get(f"/kantoor/dossiers/{dossier.pk}/").content.decode()
    assert "Titel (1 van 2)" in form_page  # the help text under the title field
    response = http.post(
        f"/kantoor/dossiers/{dossier.pk}/publiceren/",
        {"kind": "document", "title": "Concept akte", "files": [text_file("a.txt"), text_file()]},
        follow=True,
    )
    titles = list(dossier.documents.order_by("pk").values_list("title", flat=True))
    assert titles == ["Concept akte (1 van 2)", "Concept akte (2 van 2)"]
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [
        "2 bestanden gepubliceerd: “Concept akte (1 van 2)”, “Concept akte (2 van 2)”."
    ]


def test_publish_one_file_keeps_its_title_and_no_title_uses_file_names_R_OFF_3(http, dossier):
    """R-OFF-3, issue 14 item 3: one file takes the title as typed; without a title each file
    is shown under its own name, and the message says which."""
    url = f"/kantoor/dossiers/{dossier.pk}/publiceren/"
    one = http.post(url, {"kind": "document", "title": "Akte", "files": [text_file()]}, follow=True)
    assert [str(m) for m in one.context["messages"]] == ["1 bestand gepubliceerd: “Akte”."]
    http.post(url, {"kind": "document", "files": [text_file("x.txt"), text_file("y.txt")]})
    titles = list(dossier.documents.order_by("pk").values_list("title", flat=True))
    assert titles == ["Akte", "x.txt", "y.txt"]


def test_publish_numbered_title_too_long_is_refused_not_cut_R_OFF_3(http, dossier):
    """R-OFF-3, issue 14 item 3: a title that fits alone but not with its number is refused
    with the limit, nothing is published and nothing is cut."""
    response = http.post(
        f"/kantoor/dossiers/{dossier.pk}/publiceren/",
        {"kind": "document", "title": "x" * 195, "files": [text_file("a.txt"), text_file()]},
    )
    assert response.status_code == 400
    assert "hoogstens 190 tekens lang zijn; hij is er 195" in response.content.decode()
    assert not dossier.documents.exists()


def test_dossier_page_ids_are_unique_and_each_control_named_once_R_X_3(http, dossier):
    """R-X-3, issue 14 item 8: the questionnaire and the upload-request forms each have their
    own "Klant" select, each with one label (no "Klant: Klant:", no select without a name)."""
    from .html_checks import problems

    page = http.get(f"/kantoor/dossiers/{dossier.pk}/").content.decode()
    assert problems(page) == []
    for prefix in ("questionnaire", "upload"):
        assert page.count(f'id="id_{prefix}-client"') == 1
        assert page.count(f'for="id_{prefix}-client"') == 1


def test_dossier_page_has_a_section_nav_to_its_sections_R_OFF_1_R_X_4(http, dossier, staff):
    """R-OFF-1, R-X-4, issue 14 item 23: the long staff dossier page has a sticky in-page nav
    (plain links, no script) whose every link points at a heading on the page, for each
    section: details, access, progress, messages, documents, publishing, actions, audit trail;
    the audit section shows the latest entries as sentences."""
    from html.parser import HTMLParser

    class Page(HTMLParser):
        def __init__(self):
            super().__init__()
            self.ids, self.nav_links, self.in_nav, self.heading_ids = set(), [], False, set()

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if attrs.get("id"):
                self.ids.add(attrs["id"])
                if tag in {"h2", "h3", "summary"}:
                    self.heading_ids.add(attrs["id"])
            if tag == "nav" and "ws-section-nav" in (attrs.get("class") or ""):
                self.in_nav = True
            elif tag == "a" and self.in_nav:
                self.nav_links.append(attrs["href"])

        def handle_endtag(self, tag):
            if tag == "nav":
                self.in_nav = False

    dossier_services.update_dossier(dossier=dossier, description="Nieuw", by=staff)
    html = http.get(f"/kantoor/dossiers/{dossier.pk}/").content.decode()
    page = Page()
    page.feed(html)
    targets = [link.removeprefix("#") for link in page.nav_links]
    assert all(link.startswith("#") for link in page.nav_links)
    assert targets == [
        "gegevens",
        "toegang",
        "voortgang",
        "berichten",
        "documenten",
        "publiceren",
        "acties",
        "logboek",
    ]
    assert set(targets) <= page.heading_ids
    assert f"Dossier {dossier.number} gewijzigd: omschrijving" in html  # the audit section
    css = (Path(settings.BASE_DIR) / "static/portal/portal.css").read_text()
    nav_rule = re.search(r"\.ws-section-nav \{([^}]*)\}", css).group(1)
    assert "position: sticky" in nav_rule


def test_dossier_page_action_forms_fold_and_open_on_an_error_R_OFF_5(http, dossier, owner):
    """R-OFF-5, issue 14 item 23: the questionnaire and upload-request forms are folded
    (<details>, works without script) and open again when they come back with an error."""
    page = http.get(f"/kantoor/dossiers/{dossier.pk}/").content.decode()
    # questionnaire, upload request, approval request (R-SIG-4)
    assert page.count('<details class="ws-fold">') == 3
    response = http.post(
        f"/kantoor/dossiers/{dossier.pk}/uploadverzoek/", {"upload-client": owner.client_id}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert '<details class="ws-fold" open>' in page
    assert page.index('<details class="ws-fold" open>') > page.index("send-q")


def test_answer_a_message_with_an_attachment_client_sees_it_R_OFF_4(http, dossier, owner):
    question = client_message(dossier, owner)
    url = f"/kantoor/dossiers/{dossier.pk}/berichten/{question.pk}/"
    page = http.get(url).content.decode()
    assert "Klopt dit?" in page
    response = http.post(
        url,
        {"subject": "Re: Vraag over de akte", "body": "Ja, zie bijlage.", "files": text_file()},
    )
    assert response.status_code == 302
    answer = Message.objects.get(reply_to=question)
    assert answer.direction == Message.Direction.INCOMING
    assert answer.attachments.get().original_name == "brief.txt"
    question.refresh_from_db()
    assert question.handled_at is not None
    client = HttpClient()
    client.force_login(owner)
    detail = client.get(f"/dossiers/{dossier.pk}/berichten/{answer.pk}/").content.decode()
    assert "Ja, zie bijlage." in detail and "brief.txt" in detail


def test_send_questionnaire_and_upload_request_see_answers_and_pdf_R_OFF_5(
    http, dossier, owner, staff
):
    template = sized_template(2, per_page=2)
    http.post(
        f"/kantoor/dossiers/{dossier.pk}/vragenlijst/",
        {"questionnaire-template": template.pk, "questionnaire-client": owner.client_id},
    )
    http.post(
        f"/kantoor/dossiers/{dossier.pk}/uploadverzoek/",
        {"upload-client": owner.client_id, "upload-title_nl": "Kopie paspoort"},
    )
    questionnaire = Action.objects.get(kind=Action.Kind.QUESTIONNAIRE)
    assert Action.objects.filter(kind=Action.Kind.UPLOAD, title_nl="Kopie paspoort").exists()
    keys = [q["key"] for page in questionnaire.snapshot["pages"] for q in page["questions"]]
    Action.objects.filter(pk=questionnaire.pk).update(
        answers={keys[0]: "Antwoord een", keys[1]: "Antwoord twee"},
        status=Action.Status.COMPLETED,
        completed_at=timezone.now(),
        completed_by=owner,
    )
    store_pdf(questionnaire.pk)
    questionnaire.refresh_from_db()
    page = http.get(f"/kantoor/acties/{questionnaire.pk}/").content.decode()
    assert "Antwoord twee" in page
    pdf = http.get(f"/kantoor/documenten/{questionnaire.pdf_document_id}/download/")
    assert pdf.status_code == 200 and pdf["Content-Disposition"].startswith("attachment")
    assert AuditEntry.objects.filter(action="document.downloaded", actor=staff).exists()
    assert DocumentRead.objects.filter(user=staff).exists()


def test_audit_trail_page_is_paginated_R_X_1(http, dossier, staff):
    for i in range(60):
        AuditEntry.objects.create(action="test.entry", dossier=dossier, target=f"t{i}")
    page = http.get(f"/kantoor/dossiers/{dossier.pk}/logboek/")
    assert page.status_code == 200
    assert page.context["page"].paginator.num_pages == 2
    assert http.get(f"/kantoor/dossiers/{dossier.pk}/logboek/?page=2").status_code == 200


# --- 5. search ---------------------------------------------------------------------------------


def test_search_finds_dossiers_and_clients_R_OFF_1(http, dossier, owner):
    owner.client.name = "Pietersen"
    owner.client.save()
    for q, dossiers, clients in [
        (dossier.number, 1, 0),
        ("dorpsstraat", 1, 0),
        ("pietersen", 1, 1),
        ("owner@example", 1, 1),
        ("niets-hiervan", 0, 0),
    ]:
        context = http.get("/kantoor/zoeken/", {"q": q}).context
        assert (len(context["dossiers"]), len(context["clients"])) == (dossiers, clients), q


def test_demo_staff_can_log_in_to_the_workspace_with_the_printed_key_R_OFF_1(db):
    """The demo command gives notaris@… an authenticator key and prints it."""
    import base64
    import io
    import re

    from django.core.management import call_command
    from django_otp.oath import totp

    out = io.StringIO()
    call_command("demo", force=True, stdout=out)
    secret = re.search(r"authenticator key: ([A-Z2-7]+)", out.getvalue()).group(1)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    http = HttpClient()
    http.post(
        "/inloggen/", {"username": "notaris@demo.klantportaal.test", "password": "Demo-portaal1"}
    )
    http.post("/inloggen/code/", {"code": f"{totp(key):06d}"})
    assert http.get("/kantoor/").status_code == 200


def test_demo_clients_who_log_in_are_shown_accepted_R_OFF_1(db):
    """R-OFF-1, R-ME-4, issue 14 item 9: the demo data shows a true state. The printed demo
    client logins went through their invitation: the workspace shows them accepted and the
    company's "Extra accounts" shows its extra account active; only the invited client who has
    not set up an account shows as not accepted."""
    import io
    import re

    from django.core.management import call_command

    from .workspace_helpers import staff_http

    out = io.StringIO()
    call_command("demo", force=True, stdout=out)
    logins = re.findall(r"^  (\S+@demo\.klantportaal\.test) ", out.getvalue(), re.M)
    clients = User.objects.filter(email__in=logins, client__isnull=False)
    assert clients.count() == 4
    assert not clients.filter(password_set_at__isnull=True).exists()

    http = staff_http(User.objects.get(email="notaris@demo.klantportaal.test"))
    for user in clients:
        page = http.get(f"/kantoor/klanten/{user.client_id}/").content.decode()
        assert "Nog niet geaccepteerd" not in page, user.email
        assert "Geaccepteerd" in page, user.email
    kees = User.objects.get(email="kees@demo.klantportaal.test")
    assert (
        "Nog niet geaccepteerd" in http.get(f"/kantoor/klanten/{kees.client_id}/").content.decode()
    )

    main = HttpClient()
    main.force_login(User.objects.get(email="korenbloem@demo.klantportaal.test"))
    accounts = main.get("/mijn-gegevens/accounts/").content.decode()
    assert "Actief" in accounts and "Uitgenodigd" not in accounts


def test_dossier_lists_head_the_number_column_dossiernummer_R_OFF_1(staff, dossier):
    """R-OFF-1, issue 14 (first impressions): the workspace's dossier list and search head their
    first column "Dossiernummer", not "Getal" (the questionnaire's number field type)."""
    http = staff_http(staff)
    for url in ("/kantoor/dossiers/", "/kantoor/zoeken/?q=Dorpsstraat"):
        page = http.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
        assert ">Dossiernummer</th>" in page, url
        assert ">Getal</th>" not in page, url
