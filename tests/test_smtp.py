"""The onboarding e-mails through a real SMTP server on loopback (aiosmtpd): the three e-mails
arrive, as multipart text + HTML, and their links work (R-ACC-1..3). Also: an SMTP outage
delays an e-mail, it never loses one."""

from __future__ import annotations

import pytest

from portal.accounts import services
from portal.accounts.models import Client
from portal.notifications.models import OutgoingEmail
from portal.notifications.tasks import send_pending_email
from portal.offices.models import Office

from .loopback import free_port
from .mail import links, path_of, send_mail_to, smtp_server

pytestmark = [pytest.mark.smtp, pytest.mark.django_db]


@pytest.fixture
def smtp(settings):
    with smtp_server() as (inbox, port):
        send_mail_to(settings, port)
        yield inbox


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def the_link(text: str, fragment: str) -> str:
    found = [link for link in links(text) if fragment in link]
    assert len(found) == 1, found
    return found[0]


def test_three_emails_over_real_smtp_R_ACC_1_R_ACC_2_R_ACC_3(
    smtp, client, django_capture_on_commit_callbacks
):
    """R-ACC-1..3 over SMTP: invitation, set-password link, confirmation; links work."""
    office = Office.current()
    office.name = "Notariskantoor Loopback"
    office.email_sender = "portaal@loopback.test"
    office.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.create_client(
            kind=Client.Kind.PERSON, name="Eva Smit", email="eva@example.test", full_name="Eva Smit"
        )
    assert len(smtp.messages) == 1
    rcpt, first = smtp.messages[0]
    assert rcpt == ["eva@example.test"]
    assert first["From"] == "Notariskantoor Loopback <portaal@loopback.test>"
    assert "Notariskantoor Loopback" in first["Subject"]
    text, html = parts(first)
    invitation = the_link(text, "/welkom/")
    assert invitation in html

    client.get(path_of(invitation))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/welkom/", {"email": "eva@example.test"})
    assert response.status_code == 200
    assert len(smtp.messages) == 2
    text, html = parts(smtp.messages[1][1])
    password_link = the_link(text, "/wachtwoord/nieuw/")

    client.get(path_of(password_link))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/wachtwoord/nieuw/",
            {"new_password1": "Tulpenveld-7", "new_password2": "Tulpenveld-7"},
        )
    assert response.status_code == 302
    assert response["Location"] == "/mijn-gegevens/"
    assert len(smtp.messages) == 3
    rcpt, third = smtp.messages[2]
    assert rcpt == ["eva@example.test"]
    text, html = parts(third)
    assert "ingesteld" in third["Subject"]
    assert "Notariskantoor Loopback" in html

    # Sent e-mails keep no body: the links in them were secrets.
    assert OutgoingEmail.objects.filter(sent_at__isnull=True).count() == 0
    assert set(OutgoingEmail.objects.values_list("body_text", flat=True)) == {""}


def test_smtp_outage_delays_but_never_loses_an_email_R_ACC_1(
    settings, django_capture_on_commit_callbacks
):
    """R-ACC-1: with the SMTP server down the invitation stays pending (the client and its
    account are saved); once the server is back the sweep delivers it."""
    port = free_port()
    send_mail_to(settings, port)
    settings.EMAIL_TIMEOUT = 2

    with django_capture_on_commit_callbacks(execute=True):
        client = services.create_client(
            kind=Client.Kind.PERSON, name="Piet Post", email="piet@example.test"
        )
    assert client.accounts.count() == 1
    pending = OutgoingEmail.objects.get()
    assert pending.sent_at is None
    assert pending.attempts == 1
    assert pending.last_error

    with smtp_server(port) as (inbox, _port):
        assert send_pending_email(0) == 1
    assert [rcpt for rcpt, _ in inbox.messages] == [["piet@example.test"]]
    pending.refresh_from_db()
    assert pending.sent_at is not None
