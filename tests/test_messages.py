"""Messages with the office (R-MSG-1..7, R-DOS-4, R-OFF-4): the server side. The browser side
(counter, notice, attachments dialog) is in tests/browser/test_messages.py."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from portal.audit.models import AuditEntry
from portal.documents import services as document_services
from portal.documents.models import Document, StagedUpload
from portal.dossiers.models import Dossier
from portal.files.uploads import sanitise_filename
from portal.messaging import services
from portal.messaging.models import MAX_BODY_CHARS, MAX_SUBJECT_CHARS, Message, MessageRead
from portal.messaging.text import char_count

from .factories import DossierFactory, StaffFactory, UserFactory, grant
from .test_query_counts import ACTIONS_BAR
from .workspace_helpers import verify_second_factor

TEXT = b"Kopie van de stukken.\n"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def owner(db):
    return UserFactory(email="jan@example.test", full_name="Jan de Vries")


@pytest.fixture
def dossier(owner) -> Dossier:
    dossier = DossierFactory(number="2026.0001", description="Levering woning Dorpsstraat 1")
    grant(dossier, owner.client)
    return dossier


@pytest.fixture
def staff(db):
    return StaffFactory(
        email="notaris@office.test", full_name="Mr. A. Notaris", staff_role="administrator"
    )


@pytest.fixture
def http(owner) -> HttpClient:
    http = HttpClient()
    http.force_login(owner)
    return http


def text_file(name: str = "kopie.txt", content: bytes = TEXT) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def new_url(dossier) -> str:
    return f"/dossiers/{dossier.pk}/berichten/nieuw/"


def tab_url(dossier) -> str:
    return f"/dossiers/{dossier.pk}/berichten/"


def upload(http, dossier, file) -> tuple[int, dict]:
    response = http.post(f"/dossiers/{dossier.pk}/berichten/bijlagen/", {"file": file})
    return response.status_code, response.json()


def office_message(dossier, staff, subject="Concept akte", body="Graag uw reactie.") -> Message:
    return services.send_message(dossier=dossier, sender=staff, subject=subject, body=body)


# --- R-MSG-1 / R-MSG-2: the list, opening, read state -------------------------------------


def test_list_shows_incoming_and_outgoing_newest_first_R_MSG_1(http, dossier, owner, staff):
    """R-MSG-1: all incoming and outgoing messages, newest first; outgoing marked "Aan"."""
    office_message(dossier, staff, subject="Eerste bericht van kantoor")
    services.send_message(dossier=dossier, sender=owner, subject="Mijn vraag", body="Wanneer?")

    body = http.get(tab_url(dossier)).content.decode()

    assert body.index("Mijn vraag") < body.index("Eerste bericht van kantoor")
    outgoing_row = body[body.rindex("<tr", 0, body.index("Mijn vraag")) : body.index("Mijn vraag")]
    assert "Aan" in outgoing_row and "is-outgoing" in outgoing_row
    incoming_row = body[
        body.rindex("<tr", 0, body.index("Eerste bericht")) : body.index("Eerste bericht")
    ]
    assert "Van" in incoming_row and "is-incoming" in incoming_row


def test_list_is_paginated_R_MSG_1(http, dossier, staff, settings):
    """R-MSG-1: the list is paginated (MESSAGES_PER_PAGE per page)."""
    settings.MESSAGES_PER_PAGE = 3
    for n in range(5):
        office_message(dossier, staff, subject=f"Bericht nummer {n}")
    first = http.get(tab_url(dossier)).content.decode()
    second = http.get(tab_url(dossier) + "?page=2").content.decode()
    assert [f"Bericht nummer {n}" in first for n in range(5)] == [False, False, True, True, True]
    assert [f"Bericht nummer {n}" in second for n in range(5)] == [True, True, False, False, False]


def test_opening_a_message_marks_it_read_and_counts_move_R_MSG_2_R_DOS_4(
    http, dossier, owner, staff
):
    """R-MSG-2, R-DOS-4: an unread office message is marked in the list and counted on the
    Berichten tab; opening it shows it whole and marks it read, for this user only."""
    message = office_message(dossier, staff, body="Regel een\nRegel twee")
    services.send_message(dossier=dossier, sender=owner, subject="Eigen bericht", body="Tekst")

    tab = http.get(tab_url(dossier)).context["tabs"][-1]
    assert (tab["total"], tab["unread"]) == (2, 1)  # one's own message is never unread
    assert "Nieuw" in http.get(tab_url(dossier)).content.decode()

    page = http.get(f"/dossiers/{dossier.pk}/berichten/{message.pk}/")
    assert page.status_code == 200
    assert "Regel een<br>Regel twee" in page.content.decode()
    assert MessageRead.objects.filter(message=message, user=owner).exists()

    tab = http.get(tab_url(dossier)).context["tabs"][-1]
    assert (tab["total"], tab["unread"]) == (2, 0)
    # Another account of another client granted the same dossier still has it unread.
    other = UserFactory(email="partner@example.test")
    grant(dossier, other.client)
    assert services.tab_counts(dossier=dossier, user=other)["unread"] == 1


# --- R-MSG-3 / R-MSG-4: reply and new message ------------------------------------------------


def test_reply_shows_the_original_and_is_linked_to_it_R_MSG_3(http, dossier, staff):
    """R-MSG-3: "Beantwoorden" prefills the subject, shows the original message below the
    form, and the reply (with an attachment) is saved as an answer to it."""
    original = office_message(dossier, staff, subject="Concept akte", body="Zie bijlage.")
    url = f"/dossiers/{dossier.pk}/berichten/{original.pk}/beantwoorden/"

    form_page = http.get(url).content.decode()
    assert 'value="Re: Concept akte"' in form_page
    assert form_page.index('id="message-form"') < form_page.index("Zie bijlage.")
    assert "Oorspronkelijk bericht" in form_page

    status, staged = upload(http, dossier, text_file())
    assert status == 201
    response = http.post(
        url,
        {"subject": "Re: Concept akte", "body": "Akkoord.", "attachment": [staged["key"]]},
    )
    assert response.status_code == 302
    reply = Message.objects.get(reply_to=original)
    assert reply.direction == Message.Direction.OUTGOING
    assert [d.original_name for d in reply.attachments.all()] == ["kopie.txt"]


def test_new_message_requires_subject_and_text_and_keeps_what_was_given_R_MSG_4(
    http, dossier, owner
):
    """R-MSG-4: "Onderwerp" and "Bericht" are required; the errors say so, and what was
    typed and the attachments already uploaded are kept on the page."""
    status, staged = upload(http, dossier, text_file("paspoort.txt"))
    assert status == 201

    response = http.post(
        new_url(dossier), {"subject": "", "body": "Mijn tekst", "attachment": [staged["key"]]}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Vul een onderwerp in." in page
    assert "Mijn tekst" in page
    assert "paspoort.txt" in page and staged["key"] in page

    response = http.post(
        new_url(dossier), {"subject": "Kopie", "body": "   ", "attachment": [staged["key"]]}
    )
    assert "Schrijf uw bericht." in response.content.decode()
    assert 'value="Kopie"' in response.content.decode()
    assert not Message.objects.exists()
    assert StagedUpload.objects.count() == 1  # still waiting for the message

    response = http.post(
        new_url(dossier), {"subject": "Kopie", "body": "Hierbij.", "attachment": [staged["key"]]}
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.subject, message.body, message.author) == ("Kopie", "Hierbij.", owner)
    assert message.attachments.get().kind == Document.Kind.SUPPLIED
    assert not StagedUpload.objects.exists()
    assert AuditEntry.objects.filter(action="message.sent", dossier=dossier).count() == 1


# --- R-MSG-5: 4,000 characters ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body, accepted",
    [
        ("a" * MAX_BODY_CHARS, True),
        ("a" * (MAX_BODY_CHARS + 1), False),
        # A line break is one character, also as CR LF from the browser: 3,998 + 2 breaks.
        ("a" * 1999 + "\r\n" + "a" * 1999 + "\r\nb", False),
        ("a" * 1999 + "\r\n" + "a" * 1998 + "\r\nb", True),
        # An emoji is one character (a code point), not two as in JavaScript's length.
        ("😀" * MAX_BODY_CHARS, True),
        ("😀" * MAX_BODY_CHARS + "!", False),
        ("a" * 3998 + "\r\n😀", True),
    ],
    ids=["4000", "4001", "crlf-4001", "crlf-4000", "emoji-4000", "emoji-4001", "crlf+emoji-4000"],
)
def test_the_server_enforces_4000_characters_R_MSG_5(http, dossier, body, accepted):
    """R-MSG-5: at most 4,000 characters, counted as the person sees them: a line break is
    one character (CR LF normalised first) and an emoji one; more is refused with a clear
    message and the text is kept."""
    response = http.post(new_url(dossier), {"subject": "Lang bericht", "body": body})
    if accepted:
        assert response.status_code == 302
        stored = Message.objects.get().body
        assert "\r" not in stored and char_count(stored) <= MAX_BODY_CHARS
    else:
        page = response.content.decode()
        assert "Een bericht mag maximaal 4000 tekens bevatten; dit bericht heeft er 4001." in page
        assert not Message.objects.exists()
        assert 'value="Lang bericht"' in page


def test_send_message_itself_refuses_4001_characters_R_MSG_5(dossier, owner):
    """R-MSG-5: the service (used by the API and the office too) enforces the same limit."""
    with pytest.raises(ValidationError):
        services.send_message(dossier=dossier, sender=owner, subject="x", body="a" * 4001)
    assert not Message.objects.exists()


def test_the_counter_starts_from_the_kept_text_R_MSG_5(http, dossier):
    """R-MSG-5: after an error the counter shows the kept text's count (the script keeps it
    up to date while typing)."""
    response = http.post(new_url(dossier), {"subject": "", "body": "a\r\nb😀"})
    assert "4 van 4000 tekens" in response.content.decode()


@pytest.mark.parametrize("length", [MAX_SUBJECT_CHARS + 1, 250])
def test_an_overlong_subject_is_refused_not_cut_R_MSG_4(http, dossier, length):
    """R-MSG-4, issue 14 item 6: a subject over 200 characters is refused with a message that
    says the limit and the length; nothing is sent and the whole subject and the text are
    still on the page to shorten."""
    subject = "Onderwerp " + "x" * (length - 10)
    response = http.post(new_url(dossier), {"subject": subject, "body": "Mijn tekst"})
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        f"Een onderwerp mag maximaal 200 tekens hebben; dit heeft er {length}. Maak het korter"
        in page
    )
    assert f'value="{subject}"' in page and "Mijn tekst" in page
    assert 'aria-describedby="subject-counter subject-errors"' in page
    assert not Message.objects.exists()


def test_a_subject_of_exactly_200_characters_is_accepted_whole_R_MSG_4(http, dossier):
    """R-MSG-4, issue 14 item 6: exactly at the limit is accepted and stored whole."""
    subject = "Onderwerp " + "x" * (MAX_SUBJECT_CHARS - 10)
    response = http.post(new_url(dossier), {"subject": subject, "body": "Mijn tekst"})
    assert response.status_code == 302
    assert Message.objects.get().subject == subject


def test_the_subject_limit_is_shown_before_it_bites_R_MSG_4(http, dossier):
    """R-MSG-4, issue 14 item 6: the subject field says its limit ("max. 200 tekens", linked
    to the field) and carries the maxlength and the hook of the live counter."""
    page = http.get(new_url(dossier)).content.decode()
    assert re.search(
        r'<input type="text" name="subject"[^>]*maxlength="200"[^>]*'
        r'data-limit-counter="subject-counter" aria-describedby="subject-counter"',
        page,
    )
    counter = r'<p class="char-counter" id="subject-counter"[^>]*>max\. 200 tekens</p>'
    assert re.search(counter, page)
    assert "portal/limits.js" in page


def test_a_reply_to_a_long_subject_is_shortened_visibly_R_MSG_3(http, dossier, staff):
    """R-MSG-3, issue 14 item 6: "Re: " before a 200-character subject would be too long; the
    suggested subject ends in "…" so the shortening shows, and it fits the limit."""
    original = office_message(dossier, staff, subject="Lange titel " + "y" * 188)
    form = http.get(f"/dossiers/{dossier.pk}/berichten/{original.pk}/beantwoorden/").context["form"]
    suggested = form["subject"].value()
    assert suggested.startswith("Re: Lange titel ") and suggested.endswith("…")
    assert len(suggested) == MAX_SUBJECT_CHARS


# --- R-MSG-6: attachments -------------------------------------------------------------------


def test_the_dialog_uploads_checks_and_removes_files_R_MSG_6(http, dossier, owner):
    """R-MSG-6: each file of the dialog is checked and staged (JSON for the script), a
    refused file says why, and the trash icon removes a staged file and its stored file."""
    status, staged = upload(http, dossier, text_file())
    assert status == 201
    assert staged["name"] == "kopie.txt" and staged["remove_url"].endswith("/verwijderen/")
    stored = StagedUpload.objects.get()
    assert stored.uploaded_by == owner and default_storage.exists(stored.file.name)
    assert not Document.objects.exists()  # nobody can download it before it is sent

    status, refused = upload(
        http, dossier, SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 64)
    )
    assert status == 400
    assert refused["name"] == "setup.exe" and "niet geaccepteerd" in refused["error"]

    response = http.post(staged["remove_url"])
    assert response.status_code == 200 and response.json() == {"removed": True}
    assert not StagedUpload.objects.exists()
    assert not default_storage.exists(stored.file.name)


def test_without_javascript_files_come_with_the_form_R_MSG_6(http, dossier):
    """R-MSG-6 without JavaScript: the plain multiple-file input sends files with the form."""
    response = http.post(
        new_url(dossier),
        {
            "subject": "Stukken",
            "body": "Zie bijlagen.",
            "files": [text_file("a.txt"), text_file("b.txt", b"tweede\n")],
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert sorted(d.original_name for d in message.attachments.all()) == ["a.txt", "b.txt"]


def test_a_refused_attachment_keeps_the_message_R_MSG_6(http, dossier):
    """R-MSG-6 (issue point 6): a refused file shows why; the text and the accepted files are
    kept, nothing is sent until the client sends again."""
    response = http.post(
        new_url(dossier),
        {
            "subject": "Stukken",
            "body": "Mijn lange tekst",
            "files": [text_file("goed.txt"), SimpleUploadedFile("virus.exe", b"MZ" + b"\0" * 99)],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "virus.exe: " in page and "niet geaccepteerd" in page
    assert "Mijn lange tekst" in page and 'value="Stukken"' in page
    staged = StagedUpload.objects.get()
    assert staged.original_name == "goed.txt" and str(staged.key) in page
    assert not Message.objects.exists()

    response = http.post(
        new_url(dossier),
        {"subject": "Stukken", "body": "Mijn lange tekst", "attachment": [str(staged.key)]},
    )
    assert response.status_code == 302
    assert Message.objects.get().attachments.get().original_name == "goed.txt"


def test_an_over_limit_attachment_is_refused_while_received_R_MSG_6(http, dossier, settings):
    """R-MSG-6 with R-X-3: a file over the size limit is refused by the upload handler, with
    the reason, and the rest of the message is kept."""
    settings.UPLOAD_MAX_BYTES = 1024
    response = http.post(
        new_url(dossier),
        {"subject": "Groot", "body": "Tekst", "files": [text_file("groot.txt", b"x\n" * 2000)]},
    )
    page = response.content.decode()
    assert "groot.txt: Het bestand is te groot" in page
    assert 'value="Groot"' in page and not StagedUpload.objects.exists()
    status, refused = upload(http, dossier, text_file("groot.txt", b"x\n" * 2000))
    assert status == 400 and "te groot" in refused["error"]


def test_the_trash_button_works_without_javascript_R_MSG_6(http, dossier):
    """R-MSG-6: without JavaScript the trash icon is a submit button: the file is removed and
    the form comes back with the text, without error messages."""
    status, staged = upload(http, dossier, text_file())
    response = http.post(
        new_url(dossier),
        {
            "subject": "",
            "body": "Nog bezig",
            "attachment": [staged["key"]],
            "remove": staged["key"],
        },
    )
    page = response.content.decode()
    assert "Nog bezig" in page and "Vul een onderwerp in." not in page
    assert not StagedUpload.objects.exists()


def test_staged_uploads_of_someone_else_cannot_be_used_or_removed_R_MSG_6_R_DOS_6(
    http, dossier, owner
):
    """R-DOS-6: a staged file belongs to its uploader and dossier; another account's key is
    ignored when sending and cannot be removed."""
    partner = UserFactory(email="partner@example.test")
    grant(dossier, partner.client)
    theirs = HttpClient()
    theirs.force_login(partner)
    _status, staged = upload(theirs, dossier, text_file("van-partner.txt"))

    assert http.post(staged["remove_url"]).status_code == 404
    response = http.post(
        new_url(dossier), {"subject": "Poging", "body": "Tekst", "attachment": [staged["key"]]}
    )
    assert "Een bijlage is niet meer beschikbaar" in response.content.decode()
    assert "van-partner.txt" not in response.content.decode()
    assert not Message.objects.exists()
    assert StagedUpload.objects.get().uploaded_by == partner


@pytest.mark.parametrize("role", ["other client", "revoked client", "staff"])
def test_upload_and_remove_endpoints_are_404_without_access_R_DOS_6(world, role):
    """R-DOS-6: the attachment endpoints (POST only, so not in the GET matrix) are 404 for
    every role that may not see the dossier, and for an anonymous visitor a login redirect."""
    dossier = world.person_dossier
    owner = HttpClient()
    owner.force_login(world.owner)
    _status, staged = upload(owner, dossier, text_file())
    http = HttpClient()
    http.force_login(world.roles()[role])
    response = http.post(f"/dossiers/{dossier.pk}/berichten/bijlagen/", {"file": text_file()})
    assert response.status_code == 404
    assert http.post(staged["remove_url"]).status_code == 404
    assert StagedUpload.objects.filter(dossier=dossier).count() == 1
    anonymous = HttpClient().post(staged["remove_url"])
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/inloggen/")


# --- R-MSG-7 / whole or nothing / clean-up ---------------------------------------------------


def test_client_attachments_appear_under_supplied_by_me_R_MSG_7(http, dossier):
    """R-MSG-7: attachments the client sends appear under "Door mij aangeleverd" and can be
    downloaded there."""
    http.post(
        new_url(dossier),
        {"subject": "Paspoort", "body": "Bijgevoegd.", "files": [text_file("paspoort.txt")]},
    )
    document = Document.objects.get()
    assert document.kind == Document.Kind.SUPPLIED
    page = http.get(f"/dossiers/{dossier.pk}/aangeleverd/").content.decode()
    assert "paspoort.txt" in page
    download = http.get(f"/dossiers/{dossier.pk}/documenten/{document.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == TEXT


def tab_state(http, dossier, slug: str) -> tuple[int, int]:
    """(items, unread) of one tab of the dossier page, as the tab bar shows them."""
    tabs = http.get(f"/dossiers/{dossier.pk}/").context["tabs"]
    tab = next(tab for tab in tabs if tab["slug"] == slug)
    return tab["total"], tab["unread"]


def test_own_attachments_are_read_for_the_sender_only_R_DOC_4_R_MSG_7(http, dossier, owner, staff):
    """R-DOC-4 / R-MSG-7, issue 14 item 5: the files a client sends with a message are read for
    that client ("Door mij aangeleverd" counts them, none unread, no "New" mark), while the
    company's other account, who did not send them, sees them unread. The office's
    attachments stay unread for the client."""
    partner = UserFactory(email="partner@example.test", client=owner.client, is_main_account=False)
    key = upload(http, dossier, text_file("rijbewijs.txt"))[1]["key"]
    http.post(new_url(dossier), {"subject": "ID", "body": "Bijgevoegd.", "attachment": [key]})
    http.post(
        new_url(dossier),
        {"subject": "Paspoort", "body": "Bijgevoegd.", "files": [text_file("paspoort.txt")]},
    )
    assert Document.objects.filter(kind=Document.Kind.SUPPLIED).count() == 2

    assert tab_state(http, dossier, "aangeleverd") == (2, 0)
    page = http.get(f"/dossiers/{dossier.pk}/aangeleverd/").content.decode()
    assert page.count('class="is-read"') == 2 and "is-unread" not in page

    partner_http = HttpClient()
    partner_http.force_login(partner)
    assert tab_state(partner_http, dossier, "aangeleverd") == (2, 2)

    staged = document_services.stage_upload(
        dossier=dossier, file=ContentFile(TEXT), name="brief.txt", by=staff
    )
    services.send_message(
        dossier=dossier, sender=staff, subject="Brief", body="Zie bijlage.", attachments=[staged]
    )
    assert tab_state(http, dossier, "correspondentie") == (1, 1)


def test_message_and_attachments_are_saved_whole_or_not_at_all_R_MSG_6(
    http, dossier, owner, monkeypatch
):
    """R-MSG-6 (issue point 7): when saving the second attachment fails midway, neither the
    message nor the first attachment is saved; both staged files are still there to retry."""
    keys = [upload(http, dossier, text_file(f"{n}.txt"))[1]["key"] for n in range(2)]
    real_create = Document.objects.create
    calls = []

    def failing_create(**kwargs):
        calls.append(kwargs["original_name"])
        if len(calls) == 2:
            raise OSError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(Document.objects, "create", failing_create)
    staged = document_services.staged_for(dossier=dossier, user=owner, keys=keys)
    with pytest.raises(OSError):
        services.send_message(
            dossier=dossier, sender=owner, subject="Twee", body="Tekst", attachments=staged
        )

    assert calls == ["0.txt", "1.txt"]
    assert not Message.objects.exists()
    assert not Document.objects.exists()
    assert not AuditEntry.objects.filter(action__in=["message.sent", "document.supplied"])
    assert StagedUpload.objects.count() == 2
    assert all(default_storage.exists(s.file.name) for s in StagedUpload.objects.all())


def test_a_file_removed_meanwhile_stops_the_send_R_MSG_6(http, dossier, owner):
    """R-MSG-6: a staged file removed (another tab's trash icon, or the clean-up) between the
    form and the send: the message is not sent and the page says which file to add again."""
    _status, staged = upload(http, dossier, text_file("weg.txt"))
    objects = document_services.staged_for(dossier=dossier, user=owner, keys=[staged["key"]])
    document_services.discard_staged(list(objects))
    with pytest.raises(document_services.StagedUploadGone):
        services.send_message(
            dossier=dossier, sender=owner, subject="S", body="B", attachments=objects
        )
    assert not Message.objects.exists()


def test_unsent_uploads_are_removed_after_the_configured_time_R_MSG_6(http, dossier, settings):
    """R-MSG-6 (issue point 7): files uploaded in the dialog but never sent are removed with
    their stored files after STAGED_UPLOAD_HOURS; newer ones stay."""
    settings.STAGED_UPLOAD_HOURS = 2
    for name in ("oud.txt", "nieuw.txt"):
        upload(http, dossier, text_file(name))
    old = StagedUpload.objects.get(original_name="oud.txt")
    StagedUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=2, minutes=1)
    )

    from django.core.management import call_command

    call_command("remove_stale_uploads")

    assert list(StagedUpload.objects.values_list("original_name", flat=True)) == ["nieuw.txt"]
    assert not default_storage.exists(old.file.name)


# --- Escaping ---------------------------------------------------------------------------------


def test_script_and_html_come_out_escaped_R_MSG_1_R_MSG_3(http, dossier, owner, staff):
    """Script and HTML in subject, text and file names are shown as text on every page that
    shows them: the list, the message, the reply form (original below) and the admin."""
    http.post(
        new_url(dossier),
        {"subject": XSS, "body": XSS, "files": [text_file(XSS + ".txt")]},
    )
    message = Message.objects.get()
    office_reply = services.send_message(
        dossier=dossier, sender=staff, subject=XSS, body=XSS, reply_to=message
    )
    admin = HttpClient()
    admin.force_login(staff)
    verify_second_factor(admin)
    pages = {
        "list": http.get(tab_url(dossier)),
        "message": http.get(f"/dossiers/{dossier.pk}/berichten/{message.pk}/"),
        "reply form": http.get(f"/dossiers/{dossier.pk}/berichten/{office_reply.pk}/beantwoorden/"),
        "supplied": http.get(f"/dossiers/{dossier.pk}/aangeleverd/"),
        "admin list": admin.get("/beheer/messaging/message/"),
        "admin message": admin.get(f"/beheer/messaging/message/{message.pk}/change/"),
    }
    shown_name = html.escape(sanitise_filename(XSS + ".txt"))  # no <, > or quotes left
    for name, response in pages.items():
        page = response.content.decode()
        assert response.status_code == 200, name
        assert "<script>alert" not in page and "<img src=x" not in page, name
        if name == "supplied":
            assert shown_name in page
        else:
            assert "&lt;script&gt;alert" in page or "&lt;img src=x" in page, name


# --- R-OFF-4: the office --------------------------------------------------------------------


def test_admin_lists_waiting_client_messages_read_only_R_OFF_4(http, dossier, owner, staff):
    """R-OFF-4: an office administrator sees in the admin the client messages waiting across
    dossiers; writing, answering and marking handled are the workspace's (one path, one set of
    audit names): the admin has no compose or answer page, no "mark handled" and no change."""
    other_dossier = DossierFactory(number="2026.0002")
    grant(other_dossier, owner.client)
    services.send_message(dossier=dossier, sender=owner, subject="Vraag één", body="?")
    services.send_message(dossier=other_dossier, sender=owner, subject="Vraag twee", body="?")
    office_message(dossier, staff, subject="Kantoorbericht")
    admin = HttpClient()
    admin.force_login(staff)
    verify_second_factor(admin)

    waiting = admin.get("/beheer/messaging/message/?state=open").content.decode()
    assert "Vraag één" in waiting and "Vraag twee" in waiting and "Kantoorbericht" not in waiting
    assert "mark_handled" not in waiting

    question = Message.objects.get(subject="Vraag één")
    with pytest.raises(NoReverseMatch):
        reverse("admin:messaging_message_answer", args=[question.pk])
    assert admin.get("/beheer/messaging/message/add/").status_code == 403
    response = admin.post(
        "/beheer/messaging/message/",
        {"action": "mark_handled", "_selected_action": [question.pk]},
    )
    question.refresh_from_db()
    assert question.handled_at is None
    assert Message.objects.count() == 3
    assert not AuditEntry.objects.filter(action="message.handled").exists()
    assert response.status_code in (200, 302)


def test_staff_download_a_client_upload_and_it_is_recorded_R_OFF_4_R_X_1(http, dossier, staff):
    """R-OFF-4, R-X-1: staff download a client's attachment in the admin; it is recorded."""
    http.post(new_url(dossier), {"subject": "ID", "body": "Zie bijlage", "files": [text_file()]})
    document = Document.objects.get()
    admin = HttpClient()
    admin.force_login(staff)
    verify_second_factor(admin)
    response = admin.get(f"/beheer/documents/document/{document.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == TEXT
    entry = AuditEntry.objects.get(action="document.downloaded")
    assert entry.actor_id == staff.pk
    # A client cannot use the admin download.
    assert http.get(f"/beheer/documents/document/{document.pk}/download/").status_code == 302


def test_a_client_cannot_send_in_a_dossier_they_may_not_see_R_DOS_6(dossier):
    """R-DOS-6: the service itself refuses a client without access."""
    stranger = UserFactory(email="stranger@example.test")
    with pytest.raises(PermissionError):
        services.send_message(dossier=dossier, sender=stranger, subject="S", body="B")


def test_company_accounts_share_the_messages_R_MSG_1_R_ME_4(world):
    """R-MSG-1 with R-ME-4: the company's main and extra accounts see the same messages; a
    message written by one is shown as sent ("Aan") to the other."""
    dossier = world.company_dossier
    services.send_message(
        dossier=dossier, sender=world.company_extra, subject="Van de medewerker", body="Tekst"
    )
    main = HttpClient()
    main.force_login(world.company_main)
    page = main.get(tab_url(dossier)).content.decode()
    assert "Van de medewerker" in page and page.count("is-outgoing") == 1


# --- Bounded work -----------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["tab", "message", "reply", "new"])
def test_message_pages_query_count_is_fixed_at_1_and_1000_messages_R_MSG_1_to_4_R_DOS_4(
    http, dossier, owner, staff, url_name
):
    """R-MSG-1, R-DOS-4: the Berichten tab and a message page run the same number of queries
    with 1 and with 1,000 messages (with attachments and read state)."""

    def make(n: int) -> Message:
        messages = Message.objects.bulk_create(
            Message(
                dossier=dossier,
                direction=Message.Direction.INCOMING if i % 2 else Message.Direction.OUTGOING,
                subject=f"Bericht {i}",
                body="Tekst " * 20,
                author=staff if i % 2 else owner,
            )
            for i in range(n)
        )
        MessageRead.objects.bulk_create(MessageRead(message=m, user=owner) for m in messages[::3])
        Document.objects.bulk_create(
            Document(
                dossier=dossier,
                kind=Document.Kind.SUPPLIED,
                title=f"{i}.txt",
                original_name=f"{i}.txt",
                size=5,
                content_type="text/plain",
                sha256="0" * 64,
                file=ContentFile(b"", name=f"documents/x{i}").name,
                message=m,
            )
            for i, m in enumerate(messages[::2])
        )
        return messages[-1]

    def measure(message: Message) -> int:
        url = {
            "tab": tab_url(dossier),
            "message": f"/dossiers/{dossier.pk}/berichten/{message.pk}/",
            "reply": f"/dossiers/{dossier.pk}/berichten/{message.pk}/beantwoorden/",
            "new": new_url(dossier),
        }[url_name]
        http.get(url)  # the first view marks read: measure the steady state
        with CaptureQueriesContext(connection) as captured:
            response = http.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    small = measure(make(1))
    large = measure(make(999))
    assert Message.objects.count() == 1000
    # Session, user, office; the dossier; then the tab: document and message counts, the
    # paginator's count, the page (read state and attachment counts in it) — or the message:
    # the message, marking it read (one INSERT … ON CONFLICT DO NOTHING), its attachments.
    # The forms: the dossier, and for a reply the original message (author joined in).
    # Every client page also has the bar of open actions (R-HOME-3): one query.
    # The tab: its paginator reuses the tab's count (issue 9), no COUNT of its own.
    expected = {"tab": 8, "message": 7, "reply": 5, "new": 4}[url_name] + ACTIONS_BAR
    assert small == large == expected, (small, large)


def test_json_answers_carry_no_stored_path_R_MSG_6(http, dossier):
    """The dialog's JSON names the file as the user knows it, never its storage name."""
    _status, staged = upload(http, dossier, text_file())
    assert StagedUpload.objects.get().file.name not in json.dumps(staged)


def test_the_admin_start_page_shows_what_waits_for_the_office_R_OFF_4(dossier, owner, staff):
    """R-OFF-4: an overview of what is new across the dossiers: the admin's start page counts
    the client messages not handled yet and links to the workspace's inbox, where they are
    answered."""
    for n in range(2):
        services.send_message(dossier=dossier, sender=owner, subject=f"Vraag {n}", body="?")
    admin = HttpClient()
    admin.force_login(staff)
    verify_second_factor(admin)
    page = admin.get("/beheer/").content.decode()
    assert "2 berichten van klanten te beantwoorden" in page
    assert '<a href="/kantoor/">2 berichten' in page
