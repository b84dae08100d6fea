"""Onboarding through Django's test client: the three e-mails and their links (R-ACC-1..3),
the forgotten-password flow (R-ACC-4) and the branding of pages and e-mails (R-ACC-5)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.accounts import services
from portal.accounts.models import AccountToken, Client, User
from portal.offices.models import Office

from .mail import html_part, links, path_of

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Zonnebloem-42"


@pytest.fixture
def office(db) -> Office:
    office = Office.current()
    office.name = "Notariskantoor Testmans"
    office.email_sender = "portaal@testmans.test"
    office.save()
    return office


def invite(run, email="nieuw@example.test", language="nl") -> User:
    client = run(
        services.create_client,
        kind=Client.Kind.PERSON,
        name="Jan de Vries",
        email=email,
        full_name="Jan de Vries",
        language=language,
    )
    return client.accounts.get()


def only_link(message) -> str:
    found = [link for link in links(message.body) if "/welkom/" in link or "/wachtwoord/" in link]
    assert len(found) == 1, found
    return found[0]


def test_whole_onboarding_R_ACC_1_R_ACC_2_R_ACC_3(client, office, run, mailoutbox):
    """R-ACC-1..3: invitation e-mail → enter e-mail address, "Verstuur" → second e-mail →
    "Stel uw wachtwoord in a.u.b." → logged in on "Mijn gegevens" → third e-mail."""
    user = invite(run)

    # The first e-mail: subject, text and HTML, the office's branding, a link.
    assert len(mailoutbox) == 1
    first = mailoutbox[0]
    assert first.to == ["nieuw@example.test"]
    assert "Notariskantoor Testmans" in first.subject
    assert first.from_email == "Notariskantoor Testmans <portaal@testmans.test>"
    assert "Notariskantoor Testmans" in html_part(first)
    invitation_link = only_link(first)
    assert invitation_link in html_part(first)

    # The link opens a page asking for the e-mail address (the secret leaves the address bar).
    response = client.get(path_of(invitation_link))
    assert response.status_code == 302
    assert response["Location"] == "/welkom/"
    page = client.get("/welkom/")
    assert page.status_code == 200
    assert "Verstuur" in page.content.decode()

    # A different address is refused with a clear message; the link still works afterwards.
    wrong = run(client.post, "/welkom/", {"email": "iemand@anders.test"})
    assert wrong.status_code == 200
    assert "niet het e-mailadres" in wrong.content.decode()
    assert len(mailoutbox) == 1

    sent = run(client.post, "/welkom/", {"email": "NIEUW@example.test"})
    assert sent.status_code == 200
    assert "Controleer uw e-mail" in sent.content.decode()

    # The second e-mail: the set-password link.
    assert len(mailoutbox) == 2
    second = mailoutbox[1]
    assert second.to == ["nieuw@example.test"]
    password_link = only_link(second)
    assert "/wachtwoord/nieuw/" in password_link

    # The invitation link was used: it now shows the clear page with the way to a new link.
    again = client.get(path_of(invitation_link), follow=True)
    assert again.status_code == 410
    assert "al gebruikt" in again.content.decode()
    assert "/wachtwoord/instellen/" in again.content.decode()

    # Set the password; the rule is shown on the page.
    form = client.get(path_of(password_link), follow=True)
    body = form.content.decode()
    assert "Stel uw wachtwoord in a.u.b." in body
    assert "minimaal 8 tekens" in body and "1 hoofdletter" in body and "1 cijfer" in body

    done = run(
        client.post,
        "/wachtwoord/nieuw/",
        {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    )
    # Logged in, and the first login opens "Mijn gegevens".
    assert done.status_code == 302
    assert done["Location"] == "/mijn-gegevens/"
    profile = client.get("/mijn-gegevens/")
    assert profile.status_code == 200
    assert profile.wsgi_request.user == user
    text = profile.content.decode()
    assert "Mijn gegevens" in text and "nieuw@example.test" in text and "Jan de Vries" in text

    # The third e-mail confirms; it carries no link with a secret.
    assert len(mailoutbox) == 3
    third = mailoutbox[2]
    assert "wachtwoord" in third.subject.lower()
    assert not [link for link in links(third.body) if "/wachtwoord/nieuw/" in link]

    # The set-password link works once.
    client.post("/uitloggen/")
    reused = client.get(path_of(password_link), follow=True)
    assert reused.status_code == 410
    assert "al gebruikt" in reused.content.decode()

    # A later login lands on Home, not on "Mijn gegevens".
    login = client.post("/inloggen/", {"username": "nieuw@example.test", "password": GOOD_PASSWORD})
    assert login.status_code == 302
    assert login["Location"] == "/"


def test_links_expire_R_ACC_2(client, office, run, mailoutbox, settings):
    """R-ACC-2: links expire (invitation at most 72 h, password link 1 h by default); an expired
    link shows a clear page with the way to ask for a new one."""
    user = invite(run)
    invitation = user.tokens.get(purpose=AccountToken.Purpose.INVITATION)
    assert invitation.expires_at - invitation.created_at <= timedelta(hours=72, seconds=5)
    assert invitation.expires_at - invitation.created_at >= timedelta(hours=71)

    invitation.expires_at = timezone.now() - timedelta(seconds=1)
    invitation.save()
    response = client.get(path_of(only_link(mailoutbox[0])), follow=True)
    assert response.status_code == 410
    body = response.content.decode()
    assert "verlopen" in body
    assert "/wachtwoord/instellen/" in body

    # The way out: ask for a new link with the e-mail address.
    run(client.post, "/wachtwoord/instellen/", {"email": user.email})
    assert len(mailoutbox) == 2
    token = AccountToken.objects.filter(purpose=AccountToken.Purpose.SET_PASSWORD).get()
    lifetime = token.expires_at - token.created_at
    assert timedelta(minutes=59) <= lifetime <= timedelta(hours=1, seconds=5)

    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    expired = client.get(path_of(only_link(mailoutbox[1])), follow=True)
    assert expired.status_code == 410
    assert "verlopen" in expired.content.decode()


def test_unknown_and_garbled_links_R_ACC_2(client, office):
    """R-ACC-2: a made-up or truncated link gets the clear page, never a server error."""
    for path in ["/welkom/nonsense/", "/wachtwoord/nieuw/abc/", "/wachtwoord/nieuw/" + "x" * 500]:
        response = client.get(path + ("/" if not path.endswith("/") else ""), follow=True)
        assert response.status_code == 410, path
        assert "/wachtwoord/instellen/" in response.content.decode()
    # Without a link in the session the forms are not reachable either.
    assert client.get("/welkom/").status_code == 410
    assert client.post("/wachtwoord/nieuw/", {"new_password1": "x"}).status_code == 410


def test_a_new_invitation_replaces_the_old_one_R_ACC_1(client, office, run, mailoutbox):
    """R-ACC-1: sending the invitation again makes the earlier link stop working."""
    user = invite(run)
    run(services.invite_user, user=user)
    assert len(mailoutbox) == 2
    old, new = only_link(mailoutbox[0]), only_link(mailoutbox[1])
    assert old != new
    assert client.get(path_of(old), follow=True).status_code == 410
    assert client.get(path_of(new), follow=True).status_code == 200


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Kort1", "minimaal 8 tekens"),
        ("zonderhoofdletter1", "minimaal 1 hoofdletter"),
        ("ZonderCijfers", "minimaal 1 cijfer"),
        ("Password1", "te algemeen"),
        ("Jandevries1", "lijkt te veel op"),
    ],
)
def test_weak_passwords_are_refused_R_ACC_2(client, office, run, mailoutbox, password, fragment):
    """R-ACC-2: each weak-password case gets its own clear message; nothing is set."""
    user = invite(run)
    run(services.send_password_link, user=user)
    client.get(path_of(only_link(mailoutbox[-1])))
    response = client.post(
        "/wachtwoord/nieuw/", {"new_password1": password, "new_password2": password}
    )
    assert response.status_code == 200
    assert fragment in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert "_auth_user_id" not in client.session


def test_passwords_must_match_R_ACC_2(client, office, run, mailoutbox):
    """R-ACC-2: two different passwords are refused with a message."""
    user = invite(run)
    run(services.send_password_link, user=user)
    client.get(path_of(only_link(mailoutbox[-1])))
    response = client.post(
        "/wachtwoord/nieuw/", {"new_password1": GOOD_PASSWORD, "new_password2": "Anders-123"}
    )
    assert response.status_code == 200
    assert "niet hetzelfde" in response.content.decode()


def test_forgotten_password_same_answer_R_ACC_4(client, office, person, run, mailoutbox):
    """R-ACC-4: "Instellen wachtwoord" gives the same answer whether or not the address has an
    account; only a real account gets the e-mail."""
    login_page = client.get("/inloggen/").content.decode()
    assert "Welkom op het klantenportaal van Notariskantoor Testmans" in login_page
    for label in ["E-mailadres", "Wachtwoord", "Inloggen", "Instellen wachtwoord"]:
        assert label in login_page

    known = run(client.post, "/wachtwoord/instellen/", {"email": person.email})
    unknown = run(client.post, "/wachtwoord/instellen/", {"email": "niemand@example.test"})
    assert known.status_code == unknown.status_code == 200
    normalise = lambda r, email: re.sub(  # noqa: E731
        r'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"',
        "",
        r.content.decode().replace(email, "@"),
    )
    assert normalise(known, person.email) == normalise(unknown, "niemand@example.test")
    assert [m.to for m in mailoutbox] == [[person.email]]

    # The link sets a new password and logs in (not a first login: Home).
    person.last_login = timezone.now()
    person.save()
    client.get(path_of(only_link(mailoutbox[0])))
    response = run(
        client.post,
        "/wachtwoord/nieuw/",
        {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    )
    assert response["Location"] == "/"
    person.refresh_from_db()
    assert person.check_password(GOOD_PASSWORD)


def test_login_errors_R_ACC_4(client, office, person):
    """R-ACC-4: a wrong password and an unknown address get the same clear message."""
    wrong = client.post("/inloggen/", {"username": person.email, "password": "Verkeerd-1"})
    unknown = client.post("/inloggen/", {"username": "niemand@x.test", "password": "Verkeerd-1"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "onjuist" in response.content.decode()
    empty = client.post("/inloggen/", {"username": "", "password": ""})
    assert empty.status_code == 200
    assert "verplicht" in empty.content.decode()


def test_login_is_case_insensitive_R_ACC_4(client, office, person):
    """R-ACC-4: the e-mail address is not case-sensitive at login."""
    from .factories import PASSWORD

    response = client.post("/inloggen/", {"username": person.email.upper(), "password": PASSWORD})
    assert response.status_code == 302


def test_repeated_failures_lock_the_login_R_ACC_4(client, office, person, settings):
    """R-ACC-4: repeated wrong passwords lock logging in for that address for a while."""
    from .factories import PASSWORD

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/inloggen/", {"username": person.email, "password": "Verkeerd-1"})
    locked = client.post("/inloggen/", {"username": person.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Te veel pogingen" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_emails_follow_the_recipients_language_R_ACC_5(office, run, mailoutbox):
    """R-ACC-5 and R-ME-1: e-mails carry the office's name and are in the recipient's language;
    they hold no dossier details (R-X-5)."""
    invite(run, email="english@example.test", language="en")
    invite(run, email="dutch@example.test", language="nl")
    english, dutch = mailoutbox
    assert english.subject == "Your account for the client portal of Notariskantoor Testmans"
    assert dutch.subject == "Uw account voor het klantenportaal van Notariskantoor Testmans"
    assert 'lang="en"' in html_part(english)
    assert 'lang="nl"' in html_part(dutch)


def test_pages_carry_the_office_branding_R_ACC_5(client, office, person):
    """R-ACC-5: the office's name and colours are on the pages."""
    office.primary_colour = "#123456"
    office.save()
    client.force_login(person)
    body = client.get("/").content.decode()
    assert "Notariskantoor Testmans" in body
    assert "#123456" in body


def test_every_page_but_sign_in_requires_login_R_ACC_4(client, office):
    """R-ACC-4: anonymous visitors are sent to the login page from every portal page."""
    for path in ["/", "/dossiers/", "/dossiers/1/", "/mijn-gegevens/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/inloggen/?next="), path
    for path in ["/inloggen/", "/wachtwoord/instellen/"]:
        assert client.get(path).status_code == 200, path


def test_language_choice_is_stored_R_ME_1(client, office, person):
    """R-ME-1 (storage): the language chosen on "Mijn gegevens" is kept on the account and the
    pages follow it."""
    client.force_login(person)
    response = client.post("/mijn-gegevens/", {"language": "en"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "en"
    assert "My details" in client.get("/mijn-gegevens/").content.decode()
    bad = client.post("/mijn-gegevens/", {"language": "xx"})
    assert bad.status_code == 200
    person.refresh_from_db()
    assert person.language == "en"


def test_overlong_input_gets_a_message_R_ACC_4(client, office):
    """Bad input: a 10,000-character address gets a clear message, never a server error."""
    long = "a" * 10_000 + "@example.test"
    for path in ["/wachtwoord/instellen/", "/inloggen/"]:
        data = {"email": long} if "wachtwoord" in path else {"username": long, "password": "x"}
        response = client.post(path, data)
        assert response.status_code == 200, path
        assert "errorlist" in response.content.decode(), path
