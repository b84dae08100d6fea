"""Acties: questionnaires and upload requests (R-HOME-3, R-Q-1..4, R-OFF-5, R-DOC-3)."""

from __future__ import annotations

import hashlib
import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pypdf import PdfReader

from portal.audit.models import AuditEntry
from portal.documents import sealing
from portal.documents.models import Document
from portal.offices.models import Office
from portal.questionnaires import services
from portal.questionnaires.forms import iban_is_valid
from portal.questionnaires.models import Action
from portal.questionnaires.pdf import store_pdf

from .factories import PASSWORD, DossierFactory, StaffFactory, UserFactory, grant
from .questionnaire_helpers import sized_template, standard_template
from .test_seal import signature_status
from .workspace_helpers import verify_second_factor

UNICODE_NAME = "Zoë Łukasz Øystein Ğül"
GOOD_IBAN = "NL91 ABNA 0417 1643 00"


@pytest.fixture
def staff(db):
    return StaffFactory(email="notaris@office.test")


@pytest.fixture
def owner(db):
    return UserFactory(email="jan@example.test", full_name="Jan de Vries", language="en")


@pytest.fixture
def dossier(owner):
    dossier = DossierFactory(number="2026.0142", description="Levering woning Dorpsstraat 12")
    grant(dossier, owner.client)
    return dossier


@pytest.fixture
def action(owner, dossier, staff):
    return services.send_questionnaire(
        template=standard_template(), dossier=dossier, client=owner.client, by=staff
    )


def keys(action: Action, page: int) -> list[str]:
    return [q["key"] for q in action.pages[page - 1]["questions"]]


def page_one(action: Action, **overrides) -> dict:
    name, born, email, phone = keys(action, 1)
    data = {
        name: UNICODE_NAME,
        born: "1980-04-12",
        email: "zoe@example.test",
        phone: "06 12345678",
    }
    data.update(
        {
            keys(action, 1)[["name", "born", "email", "phone"].index(k)]: v
            for k, v in overrides.items()
        }
    )
    return data


def page_two(action: Action) -> dict:
    iban, price, married, status, movables, remarks = keys(action, 2)
    return {
        iban: GOOD_IBAN,
        price: "425000,50",
        married: "yes",
        status: "1",
        movables: ["0", "1"],
        remarks: "Sleutels bij de makelaar.\nØystein tekent mee.",
    }


def post_page(http, action: Action, page: int, data: dict, nav: str = "next", version=None):
    action.refresh_from_db()
    payload = {**data, "nav": nav, "version": action.version if version is None else version}
    return http.post(f"/acties/{action.pk}/invullen/{page}/", payload)


def fill_all(http, action: Action):
    assert post_page(http, action, 1, page_one(action)).status_code == 302
    assert post_page(http, action, 2, page_two(action)).status_code == 302


def submit(http, action: Action, run=None):
    action.refresh_from_db()
    return http.post(f"/acties/{action.pk}/controleren/", {"version": action.version})


# --- R-Q-1 / R-OFF-5 / R-HOME-3 ---------------------------------------------------------------


def test_sending_creates_an_action_with_audit_and_count_R_Q_1_R_HOME_3(client, action, owner):
    """R-Q-1/R-OFF-5: a sent questionnaire is an action of the client in the dossier, with an
    audit entry; R-HOME-3: the count and "Invullen" are on every page and the Home tile."""
    assert AuditEntry.objects.filter(action="questionnaire.sent", dossier=action.dossier).exists()
    owner.language = "nl"
    owner.save()
    client.force_login(owner)
    for url in [
        "/",
        "/dossiers/",
        f"/dossiers/{action.dossier_id}/",
        "/mijn-gegevens/",
        "/acties/",
    ]:
        response = client.get(url, follow=True)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert re.search(r'Acties <span class="count-badge">1</span>', body), url
        if url == "/":
            continue  # Home has the tile instead of the bar (issue 14 item 18)
        assert "Invullen" in body, url
        assert f"/acties/{action.pk}/invullen/" in body, url
    home = client.get("/").content.decode()
    assert '<dd class="actions-count">1</dd>' in home


def test_zero_actions_means_nothing_to_do_R_HOME_3(client, owner, dossier):
    """R-HOME-3: with no open action the Home tile's count is 0 and says there is nothing to
    do; issue 14 item 19: no red badge "0" in the navigation."""
    client.force_login(owner)
    body = client.get("/").content.decode()
    assert "count-badge" not in body
    assert '<dd class="actions-count">0</dd>' in body
    assert "Nothing to do" in body


def test_sending_needs_the_clients_access_to_the_dossier_R_OFF_5(owner, staff):
    """R-OFF-5: a questionnaire goes to a client for a dossier the client may see."""
    from django.core.exceptions import ValidationError

    elsewhere = DossierFactory()
    with pytest.raises(ValidationError):
        services.send_questionnaire(
            template=standard_template(), dossier=elsewhere, client=owner.client, by=staff
        )


def test_company_accounts_share_actions_and_a_revoked_client_loses_them_R_HOME_3(db, staff):
    """R-HOME-3/R-DOS-6: a company's actions are seen by its main and extra account; revoking
    the grant removes them from both at once."""
    from portal.dossiers import services as dossier_services

    main = UserFactory(client__company=True)
    extra = UserFactory(client=main.client, is_main_account=False)
    dossier = DossierFactory()
    grant(dossier, main.client)
    sent = services.send_questionnaire(
        template=standard_template(), dossier=dossier, client=main.client, by=staff
    )
    assert list(Action.objects.visible_to(main)) == [sent]
    assert list(Action.objects.visible_to(extra)) == [sent]
    dossier_services.revoke_access(dossier=dossier, client=main.client)
    assert list(Action.objects.visible_to(main)) == []
    assert list(Action.objects.visible_to(extra)) == []


# --- R-Q-2: page by page, resume, validation ---------------------------------------------------


def test_whole_flow_with_resume_after_logout_R_Q_2_R_Q_3_R_Q_4(client, action, owner, run):
    """R-Q-2..4: fill page 1, log out, log in again: "Invullen" resumes on page 2 with page 1's
    answers in place; finish, check, send; the result shows the answers with "Print"; the PDF
    is under "Supplied by me"; the action leaves Acties; the answers are locked."""
    client.force_login(owner)
    response = client.get(f"/acties/{action.pk}/invullen/", follow=True)
    assert response.redirect_chain[-1][0] == f"/acties/{action.pk}/invullen/1/"
    assert "Page 1 of 2" in response.content.decode()
    assert post_page(client, action, 1, page_one(action))["Location"] == (
        f"/acties/{action.pk}/invullen/2/"
    )

    client.post("/uitloggen/")
    assert client.get(f"/acties/{action.pk}/invullen/").status_code == 302  # to the login page
    login = client.post("/inloggen/", {"username": owner.email, "password": PASSWORD})
    assert login.status_code == 302

    response = client.get(f"/acties/{action.pk}/invullen/")
    assert response["Location"] == f"/acties/{action.pk}/invullen/2/"
    page1 = client.get(f"/acties/{action.pk}/invullen/1/").content.decode()
    assert UNICODE_NAME in page1 and 'value="1980-04-12"' in page1

    response = post_page(client, action, 2, page_two(action))
    assert response["Location"] == f"/acties/{action.pk}/controleren/"
    overview = client.get(f"/acties/{action.pk}/controleren/").content.decode()
    assert UNICODE_NAME in overview and GOOD_IBAN in overview and "Married" in overview

    response = run(submit, client, action)
    assert response["Location"] == f"/acties/{action.pk}/resultaat/"
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETED and action.pdf_document is not None
    pdf = action.pdf_document
    assert pdf.kind == Document.Kind.SUPPLIED and pdf.dossier_id == action.dossier_id

    result = client.get(f"/acties/{action.pk}/resultaat/").content.decode()
    assert UNICODE_NAME in result and "data-print" in result and "portal/print.js" in result
    supplied = client.get(f"/dossiers/{action.dossier_id}/aangeleverd/").content.decode()
    assert f"/dossiers/{action.dossier_id}/documenten/{pdf.pk}/download/" in supplied
    assert (
        client.get(f"/dossiers/{action.dossier_id}/documenten/{pdf.pk}/download/").status_code
        == 200
    )
    assert "count-badge" not in client.get("/").content.decode()  # no badge for 0

    # Locked: posting a page again changes nothing.
    before = dict(action.answers)
    response = post_page(client, action, 1, page_one(action, name="Iemand anders"))
    assert response["Location"] == f"/acties/{action.pk}/resultaat/"
    action.refresh_from_db()
    assert action.answers == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("born", "2026-02-30", "valid date"),
        ("born", "morgen", "valid date"),
        ("email", "zoe@", "valid email"),
        ("phone", "12345", "valid phone number"),
        ("name", "", "required"),
    ],
)
def test_validation_per_question_type_R_Q_2(client, action, owner, field, value, message):
    """R-Q-2: "Volgende" validates: a bad date, e-mail or phone number, or a missing required
    answer keeps the client on the page with the message linked to the field."""
    client.force_login(owner)
    response = post_page(client, action, 1, page_one(action, **{field: value}))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'aria-invalid="true"' in body and "_error" in body
    action.refresh_from_db()
    assert 0 not in action.pages_done


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (GOOD_IBAN, True),
        ("nl91abna0417164300", True),
        ("BE68 5390 0754 7034", True),
        ("DE89 3704 0044 0532 0130 00", True),
        ("NL91 ABNA 0417 1643 01", False),  # checksum
        ("NL91 ABNA 0417 1643", False),  # too short for NL
        ("1234567890", False),
        ("", False),
    ],
)
def test_iban_checksum_R_Q_2(value, valid):
    """R-Q-2: IBANs are checked on their mod-97 checksum and the country's length."""
    assert iban_is_valid(value) is valid


def test_bad_iban_is_refused_on_the_page_R_Q_2(client, action, owner):
    """R-Q-2: an IBAN with a wrong checksum is refused with a clear message."""
    client.force_login(owner)
    post_page(client, action, 1, page_one(action))
    data = page_two(action)
    data[keys(action, 2)[0]] = "NL91 ABNA 0417 1643 01"
    response = post_page(client, action, 2, data)
    assert response.status_code == 200
    assert "not a valid IBAN" in response.content.decode()


def test_back_and_forward_keep_answers_R_Q_2(client, action, owner):
    """R-Q-2: "Vorige" keeps what was typed on the page, even half-done or invalid; going
    forward again shows it; nothing is lost."""
    client.force_login(owner)
    post_page(client, action, 1, page_one(action))
    half = {keys(action, 2)[0]: "NL91 ABNA 04", keys(action, 2)[5]: "Nog navragen"}
    response = post_page(client, action, 2, half, nav="back")
    assert response["Location"] == f"/acties/{action.pk}/invullen/1/"
    assert UNICODE_NAME in client.get(f"/acties/{action.pk}/invullen/1/").content.decode()
    # Forward again (Volgende on page 1) lands on page 2 with the half answers in place.
    response = post_page(client, action, 1, page_one(action))
    page2 = client.get(response["Location"]).content.decode()
    assert 'value="NL91 ABNA 04"' in page2 and "Nog navragen" in page2
    action.refresh_from_db()
    assert action.pages_done == [0]  # page 2 is not done: resume goes there
    assert client.get(f"/acties/{action.pk}/invullen/")["Location"].endswith("/invullen/2/")


def test_save_and_stop_keeps_answers_R_Q_2(client, action, owner):
    """R-Q-2: the client may stop at any time: "Save and continue later" keeps the page."""
    client.force_login(owner)
    response = post_page(client, action, 1, page_one(action, email="half"), nav="stop")
    assert response["Location"] == "/"
    action.refresh_from_db()
    assert action.answers[keys(action, 1)[2]] == "half"


# --- R-Q-2: limits shown, enforced, never cut (issue 14 item 6) --------------------------------


def long_answer(length: int, line_breaks: int = 50) -> str:
    """A text of ``length`` characters as the person sees them, with ``line_breaks`` of them
    line breaks, sent as the browser sends a textarea: CR LF (so ``length + line_breaks``
    characters on the wire)."""
    line = "w" * 97 + "\r\n"  # 98 characters as seen
    return line * line_breaks + "x" * (length - 98 * line_breaks)


def test_text_limits_are_shown_at_the_fields_R_Q_2(client, action, owner):
    """R-Q-2, issue 14 item 6: a short and a long text answer carry their maxlength and a
    visible "max. N tekens" linked to the field, which the page's script makes a live
    counter."""
    owner.language = "nl"
    owner.save()
    client.force_login(owner)
    post_page(client, action, 1, page_one(action))
    name = keys(action, 1)[0]
    remarks = keys(action, 2)[5]
    page1 = client.get(f"/acties/{action.pk}/invullen/1/").content.decode()
    page2 = client.get(f"/acties/{action.pk}/invullen/2/").content.decode()
    for page, key, limit in [(page1, name, "500"), (page2, remarks, "5000")]:
        field = re.search(rf'<(?:input|textarea)[^>]*name="{key}"[^>]*>', page).group(0)
        assert f'maxlength="{limit}"' in field
        assert f'data-limit-counter="id_{key}_limit"' in field
        assert f"id_{key}_limit" in re.search(r'aria-describedby="([^"]*)"', field).group(1)
        assert re.search(rf'id="id_{key}_limit"[^>]*>max\. {limit} tekens<', page)
        assert "portal/limits.js" in page


@pytest.mark.parametrize("nav", ["next", "back", "stop"])
def test_an_overlong_answer_is_refused_not_cut_and_nothing_is_lost_R_Q_2(
    client, action, owner, nav
):
    """R-Q-2, issue 14 item 6: a long answer of 5,001 characters (5,051 as sent, with CR LF
    line breaks) is refused with its length, whichever button was pressed; the page shows it
    whole to shorten; the remark saved before is kept, not overwritten by a cut one; the other
    answers of the page are saved."""
    client.force_login(owner)
    post_page(client, action, 1, page_one(action))
    remarks, iban = keys(action, 2)[5], keys(action, 2)[0]
    post_page(client, action, 2, {**page_two(action), remarks: "Eerste opmerking"})
    action.refresh_from_db()
    assert action.answers[remarks] == "Eerste opmerking"

    typed = long_answer(5001)
    assert len(typed) == 5051
    data = {**page_two(action), iban: "NL91 ABNA 0417 1643 01", remarks: typed}
    response = post_page(client, action, 2, data, nav=nav)

    assert response.status_code == 200
    page = response.content.decode()
    assert "at most 5000 characters; this one has 5001" in page
    assert "has not been saved" in page
    assert html.escape(typed.replace("\r\n", "\n")) in page.replace("\r\n", "\n")
    action.refresh_from_db()
    assert action.answers[remarks] == "Eerste opmerking"
    assert action.answers[iban] == "NL91 ABNA 0417 1643 01"  # the rest of the page is kept
    assert 1 not in action.pages_done


def test_an_answer_of_exactly_5000_characters_is_stored_whole_R_Q_2(client, action, owner):
    """R-Q-2, issue 14 item 6: 5,000 characters with 50 line breaks (5,050 as sent) are
    accepted and stored whole; so is a short text of exactly 500."""
    client.force_login(owner)
    name = "Z" * 500
    assert post_page(client, action, 1, page_one(action, name=name)).status_code == 302
    remarks = keys(action, 2)[5]
    typed = long_answer(5000)
    response = post_page(client, action, 2, {**page_two(action), remarks: typed})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.answers[remarks] == typed.replace("\r\n", "\n")
    assert len(action.answers[remarks]) == 5000
    assert action.answers[keys(action, 1)[0]] == name
    assert action.pages_done == [0, 1]


def test_an_overlong_short_answer_is_refused_R_Q_2(client, action, owner):
    """R-Q-2, issue 14 item 6: a short text answer of 501 characters is refused with its
    length and kept on the page; nothing of it is stored."""
    client.force_login(owner)
    name = "Z" * 501
    response = post_page(client, action, 1, page_one(action, name=name), nav="stop")
    assert response.status_code == 200
    assert "at most 500 characters; this one has 501" in response.content.decode()
    assert f'value="{name}"' in response.content.decode()
    action.refresh_from_db()
    assert keys(action, 1)[0] not in action.answers


def test_template_edited_after_sending_does_not_alter_the_sent_one_R_Q_1(client, action, owner):
    """R-Q-1/R-OFF-5: sending freezes the questionnaire: editing or removing questions of the
    template afterwards changes nothing already sent."""
    template = action.template
    frozen = action.snapshot
    question = template.pages.first().questions.first()
    question.text_nl, question.text_en = "Gewijzigde vraag", "Changed question"
    question.save()
    template.pages.last().delete()
    template.title_nl = "Nieuwe titel"
    template.save()

    action.refresh_from_db()
    assert action.snapshot == frozen and len(action.pages) == 2
    client.force_login(owner)
    body = client.get(f"/acties/{action.pk}/invullen/1/").content.decode()
    assert "Name" in body and "Changed question" not in body
    assert "Page 1 of 2" in body


# --- R-Q-2: two tabs ---------------------------------------------------------------------------


def test_two_tabs_never_silently_lose_answers_R_Q_2(client, action, owner):
    """R-Q-2: two tabs show page 1 (same version). Tab A saves. Tab B's save is refused with a
    clear message: it shows what tab A saved and keeps what B typed; nothing of A is lost.
    Saving again from B (now on the current version) then succeeds."""
    client.force_login(owner)
    shown = action.version
    a = page_one(action)
    assert post_page(client, action, 1, a, version=shown).status_code == 302

    b = page_one(action, name="Tweede tabblad")
    response = post_page(client, action, 1, b, version=shown)
    assert response.status_code == 409
    body = response.content.decode()
    assert "another window or tab" in body
    assert UNICODE_NAME in body  # what tab A saved
    assert 'value="Tweede tabblad"' in body  # what tab B typed is still in the form
    action.refresh_from_db()
    assert action.answers[keys(action, 1)[0]] == UNICODE_NAME
    new_version = re.search(r'name="version" value="(\d+)"', body).group(1)
    assert int(new_version) == action.version

    assert post_page(client, action, 1, b, version=int(new_version)).status_code == 302
    action.refresh_from_db()
    assert action.answers[keys(action, 1)[0]] == "Tweede tabblad"


def test_stale_submit_of_the_overview_sends_nothing_R_Q_2(client, action, owner):
    """R-Q-2/R-Q-3: sending from an overview shown before another tab changed an answer is
    refused with a message; the questionnaire stays open."""
    client.force_login(owner)
    fill_all(client, action)
    action.refresh_from_db()
    stale = action.version
    post_page(client, action, 1, page_one(action, name="Gewijzigd"))
    response = client.post(f"/acties/{action.pk}/controleren/", {"version": stale}, follow=True)
    assert "changed in another window" in response.content.decode()
    action.refresh_from_db()
    assert action.is_open


# --- R-Q-3 / R-Q-4: completion and PDF -----------------------------------------------------------


def test_pdf_contains_questions_and_unicode_answers_R_Q_4(client, action, owner, run):
    """R-Q-4: the PDF (fpdf2, bundled DejaVu Sans) holds every question and answer, and names
    like "Zoë Łukasz Øystein Ğül" come out as text."""
    client.force_login(owner)
    fill_all(client, action)
    run(submit, client, action)
    action.refresh_from_db()
    with action.pdf_document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in [
        UNICODE_NAME,
        "Date of birth",
        "zoe@example.test",
        GOOD_IBAN,
        "Married?",
        "Marital status",
        "Øystein tekent mee.",
        action.dossier.number,
    ]:
        assert expected in text, expected
    assert action.pdf_document.content_type == "application/pdf"


def test_questionnaire_pdf_is_sealed_R_SIG_1(client, action, owner, run):
    """R-SIG-1: the PDF the portal makes of a questionnaire carries the office's seal, which
    pyHanko's validator finds valid over the whole file; its SHA-256 is the one on record."""
    client.force_login(owner)
    fill_all(client, action)
    run(submit, client, action)
    action.refresh_from_db()
    document = action.pdf_document
    with document.file.open("rb") as handle:
        data = handle.read()
    status = signature_status(data, trust=[sealing.seal_certificate(Office.current())])
    assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert document.sha256 == hashlib.sha256(data).hexdigest()


def test_double_submit_makes_one_pdf_R_Q_4(client, action, owner, run):
    """R-Q-4: sending twice (a double click, two tabs) completes once and makes ONE PDF; the
    task itself is idempotent too."""
    client.force_login(owner)
    fill_all(client, action)
    action.refresh_from_db()
    version = action.version
    for _ in range(2):
        response = run(client.post, f"/acties/{action.pk}/controleren/", {"version": version})
        assert response["Location"] == f"/acties/{action.pk}/resultaat/"
    assert services.complete_questionnaire(action=action, version=version + 1, by=owner) is False
    first = store_pdf(action.pk)
    assert store_pdf(action.pk) == first
    assert Document.objects.filter(dossier=action.dossier, kind="supplied").count() == 1
    assert AuditEntry.objects.filter(action="questionnaire.completed").count() == 1


def test_incomplete_questionnaire_cannot_be_sent_R_Q_3(client, action, owner):
    """R-Q-3: the overview sends only when every page is validly filled in."""
    client.force_login(owner)
    post_page(client, action, 1, page_one(action))
    response = submit(client, action)
    assert response["Location"] == f"/acties/{action.pk}/invullen/"
    action.refresh_from_db()
    assert action.is_open


def test_staff_see_answers_and_pdf_in_the_admin_R_OFF_5(client, action, owner, staff, run):
    """R-OFF-5: staff see the answers and download the PDF in the admin."""
    http = client
    http.force_login(owner)
    fill_all(http, action)
    run(submit, http, action)
    staff.staff_role = "administrator"
    staff.save()
    http.force_login(staff)
    verify_second_factor(http)
    page = http.get(f"/beheer/questionnaires/sentquestionnaire/{action.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200 and UNICODE_NAME in body and GOOD_IBAN in body
    pdf = http.get(f"/beheer/questionnaires/sentquestionnaire/{action.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Disposition"].startswith("attachment")


def test_the_admin_does_not_send_questionnaires_R_OFF_5(client, owner, dossier, staff):
    """R-OFF-5: sending a questionnaire or an upload request is daily work, done in the
    workspace through ``send_questionnaire`` / ``request_upload``; the admin has no form for it
    (nothing sent from inside a form's validation)."""
    template = standard_template()
    staff.staff_role = "administrator"
    staff.save()
    client.force_login(staff)
    verify_second_factor(client)
    for url, data in [
        (
            "/beheer/questionnaires/sentquestionnaire/add/",
            {"template": template.pk, "dossier": dossier.pk, "client": owner.client.pk},
        ),
        (
            "/beheer/questionnaires/uploadrequest/add/",
            {"dossier": dossier.pk, "client": owner.client.pk, "title_nl": "ID"},
        ),
    ]:
        assert client.post(url, data).status_code == 403
    assert not Action.objects.exists()
    assert not AuditEntry.objects.filter(action__endswith=".sent").exists()
    templates = client.get("/beheer/questionnaires/questionnairetemplate/")
    assert templates.status_code == 200 and template.title_nl in templates.content.decode()


# --- Upload requests ---------------------------------------------------------------------------


def test_upload_request_flow_with_a_refused_file_R_DOC_3(client, owner, dossier, staff):
    """R-DOC-3 ("Upload verzoek"): the office asks for "Kopie legitimatiebewijs"; the client
    uploads two files, one refused (with the reason) and one kept; then "Done" completes the
    action, and the file is under "Supplied by me"."""
    request = services.request_upload(
        dossier=dossier, client=owner.client, title_nl="Kopie legitimatiebewijs",
        title_en="Copy of ID", by=staff,
    )  # fmt: skip
    client.force_login(owner)
    assert "Copy of ID" in client.get("/acties/").content.decode()
    good = SimpleUploadedFile("paspoort.txt", b"Paspoort Zoe\n", content_type="text/plain")
    bad = SimpleUploadedFile("setup.exe", b"MZ\x90\x00\x03" + bytes(200))
    response = client.post(f"/acties/{request.pk}/uploaden/", {"files": [good, bad]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "setup.exe" in body and "not accepted" in body.lower()
    assert "paspoort.txt" in body
    request.refresh_from_db()
    assert request.is_open and request.supplied_documents.count() == 1

    response = client.post(f"/acties/{request.pk}/uploaden/", {"done": "1"})
    assert response["Location"] == f"/dossiers/{dossier.pk}/aangeleverd/"
    request.refresh_from_db()
    assert not request.is_open
    supplied = client.get(response["Location"]).content.decode()
    assert "paspoort.txt" in supplied
    assert AuditEntry.objects.filter(action="upload_request.completed").exists()


def test_upload_request_without_refusals_completes_at_once_R_DOC_3(client, owner, dossier):
    """R-DOC-3: one or more accepted files complete the request in one step."""
    request = services.request_upload(dossier=dossier, client=owner.client, title_nl="Kopie ID")
    client.force_login(owner)
    files = [
        SimpleUploadedFile("voorkant.txt", b"voor\n", content_type="text/plain"),
        SimpleUploadedFile("achterkant.txt", b"achter\n", content_type="text/plain"),
    ]
    response = client.post(f"/acties/{request.pk}/uploaden/", {"files": files})
    assert response.status_code == 302
    request.refresh_from_db()
    assert not request.is_open and request.supplied_documents.count() == 2
    empty = client.post(f"/acties/{request.pk}/uploaden/", {})
    assert empty.status_code == 200  # done: the page shows the files, nothing changes


def test_a_long_upload_title_is_shortened_visibly_and_the_name_kept_whole_R_DOC_3(
    client, owner, dossier
):
    """R-DOC-3, issue 14 item 6: a file's title is the request's title and the file name; when
    that is longer than a title may be it ends in "…" (not cut without a sign), and the file
    name is stored whole and shown under the title."""
    title = ("Kopie van het legitimatiebewijs van beide kopers " * 3).strip()
    request = services.request_upload(dossier=dossier, client=owner.client, title_nl=title)
    client.force_login(owner)
    name = "scan-" + "paspoort-" * 14 + "voorkant.txt"  # 143: within the file name limit
    file = SimpleUploadedFile(name, b"voor\n", content_type="text/plain")
    assert client.post(f"/acties/{request.pk}/uploaden/", {"files": [file]}).status_code == 302
    document = request.supplied_documents.get()
    assert len(document.title) == 200 and document.title.endswith("…")
    assert document.title.startswith(title + " (scan-paspoort-")
    assert document.original_name == name
    page = client.get(f"/dossiers/{dossier.pk}/aangeleverd/").content.decode()
    assert html.escape(name) in page


def test_upload_request_refuses_a_file_too_large_R_DOC_3(client, owner, dossier, settings):
    """R-DOC-3/R-X-3: a file over the limit is refused while it is received; the other file of
    the same request is kept."""
    settings.UPLOAD_MAX_BYTES = 1000
    request = services.request_upload(dossier=dossier, client=owner.client, title_nl="Kopie ID")
    client.force_login(owner)
    big = SimpleUploadedFile("groot.txt", b"a\n" * 1000, content_type="text/plain")
    small = SimpleUploadedFile("klein.txt", b"klein\n", content_type="text/plain")
    body = client.post(f"/acties/{request.pk}/uploaden/", {"files": [big, small]}).content.decode()
    assert "groot.txt" in body and "too large" in body
    assert request.supplied_documents.count() == 1


def supplied_tab(http, dossier) -> tuple[int, int]:
    """(items, unread) of the "Door mij aangeleverd" tab, as the tab bar shows them."""
    tabs = http.get(f"/dossiers/{dossier.pk}/").context["tabs"]
    tab = next(tab for tab in tabs if tab["slug"] == "aangeleverd")
    return tab["total"], tab["unread"]


def company_partner(owner):
    """Another account of the owner's client (a company's extra account): sees the same
    dossiers, but did not supply anything."""
    partner = UserFactory(email="partner@example.test", client=owner.client, is_main_account=False)
    http = Client()
    http.force_login(partner)
    return http


def test_files_for_an_upload_request_are_read_for_the_uploader_only_R_DOC_4_R_DOC_3(
    client, owner, dossier
):
    """R-DOC-4 / R-DOC-3, issue 14 item 5: files a client uploads for an upload request are
    read for that client (no unread count, no "New" mark under "Door mij aangeleverd"); the
    company's other account did not supply them and sees them unread."""
    request = services.request_upload(dossier=dossier, client=owner.client, title_nl="Kopie ID")
    client.force_login(owner)
    files = [
        SimpleUploadedFile("voorkant.txt", b"voor\n", content_type="text/plain"),
        SimpleUploadedFile("achterkant.txt", b"achter\n", content_type="text/plain"),
    ]
    assert client.post(f"/acties/{request.pk}/uploaden/", {"files": files}).status_code == 302

    assert supplied_tab(client, dossier) == (2, 0)
    page = client.get(f"/dossiers/{dossier.pk}/aangeleverd/").content.decode()
    assert page.count('class="is-read"') == 2 and "is-unread" not in page
    assert supplied_tab(company_partner(owner), dossier) == (2, 2)


def test_questionnaire_pdf_is_read_for_the_client_who_sent_it_R_DOC_4_R_Q_4(
    client, action, owner, run
):
    """R-DOC-4 / R-Q-4, issue 14 item 5: the PDF of a questionnaire the client completed is
    under "Door mij aangeleverd" as read for that client, unread for the company's other
    account."""
    client.force_login(owner)
    fill_all(client, action)
    run(submit, client, action)
    action.refresh_from_db()
    assert action.pdf_document is not None

    assert supplied_tab(client, action.dossier) == (1, 0)
    assert supplied_tab(company_partner(owner), action.dossier) == (1, 1)


# --- Bounded work ------------------------------------------------------------------------------


def _count(http, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


# The session, the user, the action (through the access check, dossier joined in), the office
# (branding), the open actions (count and first items). The questions come from the snapshot.
WIZARD_PAGE_QUERIES = 5


def test_query_count_per_wizard_page_is_fixed_with_5_and_60_questions_R_Q_2(client, staff):
    """R-Q-2 and bounded work: a wizard page, the overview and the result run the same fixed
    number of queries with 5 questions on a page and with 60."""
    Office.current()
    counts = {}
    for questions in (5, 60):
        user = UserFactory(language="en")
        dossier = DossierFactory()
        grant(dossier, user.client)
        sent = services.send_questionnaire(
            template=sized_template(questions, per_page=questions),
            dossier=dossier, client=user.client, by=staff,
        )  # fmt: skip
        client.force_login(user)
        counts[questions] = {
            "page": _count(client, f"/acties/{sent.pk}/invullen/1/"),
            "overview": _count(client, f"/acties/{sent.pk}/controleren/"),
            "list": _count(client, "/acties/"),
        }
    assert counts[5] == counts[60], counts
    assert counts[60]["page"] == WIZARD_PAGE_QUERIES, counts
    assert counts[60]["overview"] == WIZARD_PAGE_QUERIES, counts


def test_the_bar_query_does_not_grow_with_actions_R_HOME_3(client, db, staff):
    """R-HOME-3: the count and list on every page is one query with 1 or 40 open actions."""
    Office.current()
    counts = []
    for n in (1, 40):
        user = UserFactory(language="en")
        dossier = DossierFactory()
        grant(dossier, user.client)
        for _ in range(n):
            services.request_upload(dossier=dossier, client=user.client, title_nl="Kopie ID")
        client.force_login(user)
        counts.append(_count(client, "/"))
        body = client.get("/").content.decode()
        assert f'<span class="count-badge">{n}</span>' in body
    assert counts[0] == counts[1]


def test_every_question_type_renders_accessibly_R_Q_2(client, action, owner):
    """Accessible markup: choice questions in a fieldset with a legend, every input labelled,
    help texts linked with aria-describedby."""
    client.force_login(owner)
    post_page(client, action, 1, page_one(action))
    body = client.get(f"/acties/{action.pk}/invullen/2/").content.decode()
    assert body.count("<fieldset") == 3  # yes/no, single and multiple choice
    assert "<legend>Married?" in body
    for key in keys(action, 2):
        assert f'aria-describedby="id_{key}_help' in body or f'id="id_{key}_help"' in body
    assert 'type="checkbox"' in body and 'type="radio"' in body
    assert f'<label for="id_{keys(action, 2)[0]}">' in body


@pytest.mark.parametrize("role", ["other client", "revoked client", "staff"])
def test_posts_to_someone_elses_action_are_404_and_change_nothing_R_DOS_6(client, world, role):
    """R-DOS-6 for the POSTs of Acties (the matrix tries GETs): saving a page, sending the
    overview or uploading to an action of another client is a 404 and changes nothing."""
    questionnaire = services.send_questionnaire(
        template=standard_template(), dossier=world.person_dossier, client=world.owner.client
    )
    upload = services.request_upload(
        dossier=world.person_dossier, client=world.owner.client, title_nl="Kopie ID"
    )
    client.force_login(world.roles()[role])
    name = keys(questionnaire, 1)[0]
    attempts = [
        (f"/acties/{questionnaire.pk}/invullen/1/", {name: "x", "nav": "next", "version": 0}),
        (f"/acties/{questionnaire.pk}/controleren/", {"version": 0}),
        (
            f"/acties/{upload.pk}/uploaden/",
            {"files": SimpleUploadedFile("a.txt", b"a\n"), "done": "1"},
        ),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code == 404, url
    questionnaire.refresh_from_db()
    upload.refresh_from_db()
    assert questionnaire.answers == {} and questionnaire.is_open
    assert upload.is_open and upload.supplied_documents.count() == 0


def test_demo_has_questionnaires_half_answered_and_an_upload_request_R_Q_2(
    db, settings, client, django_capture_on_commit_callbacks
):
    """Demo data: "Vragenlijst levering woning" sent to Jan and half answered (he resumes on
    page 2), "Vragenlijst testament" open for Sanne (in English), an upload request for Jan;
    a second run adds nothing."""
    import io

    from django.core.management import call_command

    from portal.accounts.models import User

    settings.DEBUG = True
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("demo", stdout=io.StringIO())
    # Two questionnaires, an upload request, and Jan's approval and signing requests (R-SIG-4/5).
    assert Action.objects.count() == 5
    jan = User.objects.get(email="jan@demo.klantportaal.test")
    sanne = User.objects.get(email="sanne@demo.klantportaal.test")
    assert sorted(Action.objects.visible_to(jan).open().values_list("kind", flat=True)) == [
        "approval",
        "questionnaire",
        "signing",
        "upload",
    ]
    levering = Action.objects.visible_to(jan).get(title_nl="Vragenlijst levering woning")
    client.force_login(jan)
    assert client.get(f"/acties/{levering.pk}/invullen/")["Location"].endswith("/invullen/2/")
    client.force_login(sanne)
    body = client.get("/acties/").content.decode()
    assert "Questionnaire will" in body and "Fill in" in body


def test_a_lost_pdf_task_is_made_up_by_the_sweep_R_Q_4(client, action, owner):
    """R-Q-4: if the PDF task never ran (broker down, crash), the periodic sweep makes it."""
    from portal.questionnaires.tasks import make_missing_pdfs

    client.force_login(owner)
    fill_all(client, action)
    submit(client, action)  # the on-commit work is not run here: the task is "lost"
    action.refresh_from_db()
    assert not action.is_open and action.pdf_document is None
    assert make_missing_pdfs() == 1
    assert make_missing_pdfs() == 0
    action.refresh_from_db()
    assert action.pdf_document is not None


def test_sending_an_action_notifies_only_that_client_R_ME_3_R_Q_1(
    owner, dossier, staff, run, mailoutbox
):
    """R-ME-3 (b) with R-Q-1: a questionnaire or an upload request sent to a client e-mails
    that client's accounts (in their language, no content), not another client of the same
    dossier."""
    partner = UserFactory(email="partner@example.test", language="nl")
    grant(dossier, partner.client)
    run(
        services.send_questionnaire,
        template=standard_template(),
        dossier=dossier,
        client=owner.client,
        by=staff,
    )
    run(
        services.request_upload,
        dossier=dossier,
        client=partner.client,
        title_nl="Kopie legitimatiebewijs",
        by=staff,
    )
    mails = [m for m in mailoutbox if m.to != [staff.email]]
    assert sorted(m.to[0] for m in mails) == ["jan@example.test", "partner@example.test"]
    to_owner = next(m for m in mails if m.to == ["jan@example.test"])
    assert "questionnaire or a request for a document" in to_owner.body
    to_partner = next(m for m in mails if m.to == ["partner@example.test"])
    assert "vragenlijst of een verzoek om een document" in to_partner.body
    assert "Kopie legitimatiebewijs" not in to_partner.body


def test_the_pdf_task_records_as_the_system_also_in_process_R_Q_4(client, action, owner):
    """R-Q-4, R-X-1, issue 16 item 3: the PDF task sets its own audit context: run in-process
    inside a request's context (no broker), its entry names the client who completed the
    questionnaire and no address, as when a worker makes it."""
    from portal.audit.context import audit_context
    from portal.questionnaires.tasks import make_questionnaire_pdf

    client.force_login(owner)
    fill_all(client, action)
    action.refresh_from_db()
    client.post(f"/acties/{action.pk}/controleren/", {"version": action.version})
    staff = UserFactory(is_staff=True)
    with audit_context(actor=staff, address="192.0.2.50"):
        make_questionnaire_pdf.delay(action.pk)
    entry = AuditEntry.objects.get(action="document.supplied", dossier=action.dossier)
    assert (entry.actor, entry.ip_address) == (owner, None)
