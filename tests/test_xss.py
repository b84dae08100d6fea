"""Output escaping (issue 8, ASVS V3/V5): script and HTML in every text a user can enter —
clients (names, messages, file names, questionnaire answers, extra accounts) and staff
(dossier descriptions, progress steps, document titles, questionnaire texts) — come out as text
on every page that shows them, on the client side, in the workspace and in the admin; and no
template marks user data safe."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.files.base import ContentFile

from portal.accounts import services as account_services
from portal.documents import services as documents
from portal.dossiers import services as dossier_services
from portal.messaging import services as messaging
from portal.questionnaires import services as questionnaires

from .factories import ClientFactory, DossierFactory, StaffFactory, UserFactory, grant
from .questionnaire_helpers import make_template
from .workspace_helpers import staff_http

PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
RAW = ("<script>alert", "<img src=x")
SRC = Path(__file__).resolve().parent.parent / "src" / "portal"


def test_every_user_text_comes_out_escaped_on_every_page_issue_8(db, client):
    staff = StaffFactory(email="notaris@office.test", full_name=PAYLOAD, staff_role="administrator")
    company = ClientFactory(company=True, name="Bedrijf " + PAYLOAD)
    main = UserFactory(email="main@company.test", client=company, full_name=PAYLOAD)
    extra = account_services.add_account(
        client=company, email="extra@company.test", full_name=PAYLOAD, invite=False, by=main
    )
    dossier = DossierFactory(description="Levering " + PAYLOAD, handler=staff)
    grant(dossier, company)
    grant(DossierFactory(), company)  # two dossiers: the list is shown, not skipped
    dossier_services.set_progress(dossier=dossier, steps=[(PAYLOAD, True), ("Stap", False)])
    documents.publish_document(
        dossier=dossier,
        kind="document",
        title=PAYLOAD,
        file=ContentFile(b"tekst\n"),
        name=PAYLOAD + ".txt",
    )
    staged = documents.stage_upload(
        dossier=dossier, file=ContentFile(b"kopie\n"), name=PAYLOAD + ".txt", by=main
    )
    message = messaging.send_message(
        dossier=dossier, sender=main, subject=PAYLOAD, body=PAYLOAD, attachments=[staged]
    )
    answer = messaging.send_message(
        dossier=dossier, sender=staff, subject=PAYLOAD, body=PAYLOAD, reply_to=message
    )
    template = make_template([[("short_text", PAYLOAD, PAYLOAD, False, "")]], title=PAYLOAD)
    action = questionnaires.send_questionnaire(
        template=template, dossier=dossier, client=company, by=staff
    )
    key = action.pages[0]["questions"][0]["key"]
    questionnaires.save_page(
        action=action, index=0, answers={key: PAYLOAD}, valid=True, version=0, by=main
    )
    upload_request = questionnaires.request_upload(
        dossier=dossier, client=company, title_nl=PAYLOAD, title_en=PAYLOAD, by=staff
    )

    client.force_login(main)
    d = dossier.pk
    client_pages = [
        "/",
        "/dossiers/",
        f"/dossiers/{d}/",
        f"/dossiers/{d}/documenten/",
        f"/dossiers/{d}/aangeleverd/",
        f"/dossiers/{d}/berichten/",
        f"/dossiers/{d}/berichten/{message.pk}/",
        f"/dossiers/{d}/berichten/{answer.pk}/",
        f"/dossiers/{d}/berichten/{answer.pk}/beantwoorden/",
        "/acties/",
        f"/acties/{action.pk}/invullen/1/",
        f"/acties/{action.pk}/controleren/",
        f"/acties/{upload_request.pk}/uploaden/",
        "/mijn-gegevens/",
        "/mijn-gegevens/accounts/",
        f"/mijn-gegevens/accounts/{extra.pk}/",
    ]
    office = staff_http(staff)
    staff_pages = [
        "/kantoor/",
        "/kantoor/dossiers/",
        f"/kantoor/dossiers/{d}/",
        f"/kantoor/dossiers/{d}/berichten/{message.pk}/",
        f"/kantoor/dossiers/{d}/logboek/",
        f"/kantoor/acties/{action.pk}/",
        "/kantoor/klanten/",
        f"/kantoor/klanten/{company.pk}/",
        "/kantoor/zoeken/?q=Levering",
        "/beheer/messaging/message/",
        f"/beheer/messaging/message/{message.pk}/change/",
        "/beheer/dossiers/dossier/",
        f"/beheer/dossiers/dossier/{d}/change/",
        "/beheer/accounts/client/",
        f"/beheer/accounts/client/{company.pk}/change/",
        "/beheer/documents/document/",
        "/beheer/audit/auditentry/",
    ]
    shown = 0
    for http, pages in ((client, client_pages), (office, staff_pages)):
        for url in pages:
            response = http.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            assert not any(raw in page for raw in RAW), url
            shown += "&lt;script&gt;alert" in page or "_script_alert" in page
    # The payload is really on (nearly) every page, escaped: the check is not vacuous.
    assert shown >= len(client_pages) + len(staff_pages) - 3


def test_no_template_or_view_marks_user_data_safe_issue_8():
    """`|safe`, `{% autoescape off %}` and `mark_safe` occur only where the content is ours:
    the allow-list below names each place and why."""
    allowed = {
        # The TOTP QR code: an SVG that segno draws from the otpauth URI (paths only, no text).
        ("web/twofactor/views.py", "mark_safe"),
        # {% jinja %}: the output of a Jinja2 template, which escaped every value (autoescape).
        ("jinja_env.py", "mark_safe"),
    }
    found = set()
    for path in SRC.rglob("*"):
        if path.suffix not in {".html", ".txt", ".py"} or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for marker in ("|safe", "autoescape off", "mark_safe(", "SafeString("):
            if marker in text:
                name = str(path.relative_to(SRC))
                if marker == "autoescape off" and re.fullmatch(r"templates/emails/\w+\.txt", name):
                    continue  # the text/plain part of an e-mail: nothing there is HTML
                found.add((name, re.sub(r"\W", "", marker)))
    assert found == allowed
