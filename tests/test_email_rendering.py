"""How every e-mail kind is rendered (R-ACC-5): the subject and the text/plain part are plain
text, the HTML part is escaped; in both languages."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

import portal
from portal.notifications.email import queue_email
from portal.offices.models import Office

from .factories import UserFactory
from .mail import html_part

OFFICE = "Notariskantoor Van Dam & De Boer <\"Notarissen\"> 'Utrecht'"
PERSON = "Jan & Piet <de Vries>"
ENTITIES = ("&amp;", "&lt;", "&gt;", "&quot;", "&#x27;", "&#39;", "&#34;")
EMAIL_TEMPLATES = Path(portal.__file__).parent / "templates" / "emails"
KINDS = sorted(
    path.name.removesuffix("_subject.txt") for path in EMAIL_TEMPLATES.glob("*_subject.txt")
)
CONTEXT = {
    "link": "https://portaal.example.test/welkom/abc/",
    "hours": 72,
    "minutes": 15,
    "days": 30,
    "documents": True,
    "questionnaires": True,
    "messages": True,
}


def test_every_kind_is_known():
    """The kinds below are every e-mail the portal sends (a new kind is covered by itself)."""
    assert {"invitation", "set_password", "password_set", "notification"} <= set(KINDS)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_subject_and_text_part_are_plain_text_R_ACC_5(kind, language, run, mailoutbox):
    """R-ACC-5, issue 14 item 1: an office name with & < > and quotes appears as itself in the
    subject and the text/plain part of every e-mail kind in both languages (no HTML entities);
    the HTML part stays escaped."""
    office = Office.current()
    office.name = OFFICE
    office.save()
    user = UserFactory(full_name=PERSON, language=language)

    run(queue_email, to_user=user, template=kind, context=CONTEXT)

    (message,) = mailoutbox
    assert OFFICE in message.subject, message.subject
    assert "\n" not in message.subject
    assert OFFICE in message.body and PERSON in message.body, message.body
    for entity in ENTITIES:
        assert entity not in message.subject, (entity, message.subject)
        assert entity not in message.body, (entity, message.body)
    page = html_part(message)
    assert html.escape(OFFICE) in page
    assert OFFICE not in page
    assert "<de Vries>" not in page
