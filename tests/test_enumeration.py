"""No account enumeration (R-ACC-4, issue 8, ASVS V6): the answers of the forgotten-password
form, its rate limit, the login and the dead-link pages are the same — status, body byte for
byte, header and cookie names — whether or not an e-mail address has an account. Only what
differs per request anyway is taken out before comparing: the CSRF token, the CSP nonce and the
e-mail address the visitor typed (echoed back to them)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from django.utils.html import escape

from portal.accounts.models import AccountToken
from portal.notifications.models import OutgoingEmail

from .factories import PASSWORD, ClientFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PER_REQUEST = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
]


def answer(response, typed: str = "") -> tuple:
    """What a visitor can observe, with the per-request tokens and the typed address removed."""
    body = response.content.decode()
    for pattern, replacement in PER_REQUEST:
        body = pattern.sub(replacement, body)
    if typed:
        body = body.replace(escape(typed), "TYPED").replace(typed, "TYPED")
    headers = sorted(name.lower() for name in response.headers if name != "Content-Length")
    return response.status_code, body, headers, sorted(response.cookies.keys())


@pytest.fixture
def addresses(db) -> dict[str, str]:
    """One address of each kind the forgotten-password form can be given."""
    UserFactory(email="client@example.test")
    UserFactory(email="blocked@example.test", is_active=False)
    StaffFactory(email="notaris@office.test")
    company = ClientFactory(company=True)
    UserFactory(email="extra@company.test", client=company, is_main_account=False)
    invited = UserFactory(email="invited@example.test")
    invited.set_unusable_password()
    invited.save()
    return {
        "client": "client@example.test",
        "unknown": "nobody@example.test",
        "blocked": "blocked@example.test",
        "staff": "notaris@office.test",
        "extra account": "extra@company.test",
        "invited, no password yet": "invited@example.test",
    }


def test_forgotten_password_answers_the_same_for_every_address_R_ACC_4(addresses):
    """R-ACC-4, issue 8: an existing client, an unknown address, a blocked account, a staff
    address, an extra account and an invited account get the same status and body (while only
    the active accounts are actually sent a link)."""
    answers = {}
    for kind, email in addresses.items():
        response = HttpClient().post("/wachtwoord/instellen/", {"email": email})
        answers[kind] = answer(response, email)
    reference = answers["unknown"]
    assert reference[0] == 200
    for kind, observed in answers.items():
        assert observed == reference, kind
    # The same answer hides a real difference: links went to the active accounts only.
    sent = set(OutgoingEmail.objects.values_list("to", flat=True))
    assert sent == {
        addresses[k] for k in ("client", "staff", "extra account", "invited, no password yet")
    }


def test_the_rate_limited_answer_is_the_same_for_known_and_unknown_addresses_R_ACC_4(
    addresses, settings
):
    """R-ACC-4, issue 8: the limit per e-mail address counts what is typed, known or not: both
    reach it at the same request and get the same 429 page."""
    settings.RATE_LIMIT_PASSWORD_RESET_PER_EMAIL = "2/h"
    answers = {}
    for kind in ("client", "unknown", "blocked", "staff"):
        email = addresses[kind]
        statuses = []
        for n in range(3):
            response = HttpClient(REMOTE_ADDR=f"198.51.100.{n + 1}").post(
                "/wachtwoord/instellen/", {"email": email}
            )
            statuses.append(response.status_code)
        assert statuses == [200, 200, 429], kind
        answers[kind] = answer(response, email)
    for kind, observed in answers.items():
        assert observed == answers["unknown"], kind


def test_the_rate_limited_answer_per_address_does_not_depend_on_the_address_typed_R_ACC_4(
    addresses, settings
):
    """R-ACC-4, issue 8: over the limit per client address, a known and an unknown e-mail
    address get the same 429 page."""
    settings.RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS = "1/h"
    answers = {}
    for n, kind in enumerate(("client", "unknown")):
        http = HttpClient(REMOTE_ADDR=f"203.0.113.{n + 1}")
        http.post("/wachtwoord/instellen/", {"email": "first@example.test"})
        response = http.post("/wachtwoord/instellen/", {"email": addresses[kind]})
        assert response.status_code == 429
        answers[kind] = answer(response, addresses[kind])
    assert answers["client"] == answers["unknown"]


def login(email: str, password: str, ip: str):
    return HttpClient(REMOTE_ADDR=ip).post("/inloggen/", {"username": email, "password": password})


def test_login_failure_is_the_same_for_unknown_address_and_wrong_password_R_ACC_4(addresses):
    """R-ACC-4, issue 8: an unknown address, a wrong password, and a blocked account (even with
    its right password) get the same login failure."""
    tries = {
        "unknown address": ("nobody@example.test", PASSWORD),
        "wrong password": ("client@example.test", "Wrong-password-1"),
        "blocked, right password": ("blocked@example.test", PASSWORD),
        "staff, wrong password": ("notaris@office.test", "Wrong-password-1"),
    }
    answers = {}
    for n, (kind, (email, password)) in enumerate(tries.items()):
        answers[kind] = answer(login(email, password, f"198.51.100.{n + 1}"), email)
    reference = answers["unknown address"]
    assert reference[0] == 200
    assert "onjuist" in reference[1]
    for kind, observed in answers.items():
        assert observed == reference, kind


def test_the_lockout_is_the_same_for_known_and_unknown_addresses_R_ACC_4(addresses, settings):
    """R-ACC-4, issue 8: django-axes locks an unknown address (as typed, from one client
    address) as it locks a known one, with the same page: the lockout does not tell which
    addresses exist."""
    settings.AXES_FAILURE_LIMIT = 2
    answers = {}
    for n, kind in enumerate(("client", "unknown")):
        email = addresses[kind]
        for _ in range(2):
            login(email, "Wrong-password-1", f"198.51.100.{n + 1}")
        response = login(email, "Wrong-password-1", f"198.51.100.{n + 1}")
        assert response.status_code == 429, kind
        answers[kind] = answer(response, email)
    assert answers["client"] == answers["unknown"]


def test_the_login_link_step_is_the_same_for_every_address_R_ACC_4(addresses, settings, run):
    """R-ACC-4, issue 14 item 11: an address guessed at from many client addresses asks for a
    login link, with the same page whether it belongs to a client, a staff member, a blocked
    account or no account at all, and whatever password was typed (while only the active
    accounts are sent a link)."""
    settings.AXES_FAILURE_LIMIT = settings.LOGIN_LINK_AFTER_FAILURES = 2
    answers = {}
    for k, (kind, email) in enumerate(addresses.items()):
        for n in range(2):
            login(email, "Wrong-password-1", f"198.51.{k}.{n + 1}")
        for password in (PASSWORD, "Wrong-password-1"):
            response = run(login, email, password, f"192.0.2.{k}")
            answers[kind, password] = answer(response, email)
    reference = answers["unknown", PASSWORD]
    assert reference[0] == 200
    assert "inloglink" in reference[1]
    for key, observed in answers.items():
        assert observed == reference, key
    sent = {m.to for m in OutgoingEmail.objects.filter(kind="login_link")}
    assert sent == {
        addresses[k] for k in ("client", "staff", "extra account", "invited, no password yet")
    }


def dead_link(prefix: str, raw: str):
    http = HttpClient()
    http.get(f"{prefix}{raw}/")
    return http.get(prefix)


@pytest.mark.parametrize(
    ("prefix", "purpose"),
    [
        ("/welkom/", AccountToken.Purpose.INVITATION),
        ("/wachtwoord/nieuw/", AccountToken.Purpose.SET_PASSWORD),
    ],
)
def test_dead_links_never_name_the_account_R_ACC_1_R_ACC_2(prefix, purpose):
    """R-ACC-1, R-ACC-2, issue 8: an invalid link and the link of a blocked account get the same
    page byte for byte; expired and used links get the same status (410) and the same page
    except the one sentence that says why (a deliberate choice, docs/architecture.md §4: the
    link's holder learns what to do; the 256-bit secret cannot be guessed, so this tells an
    outsider nothing), and no dead-link page names the account."""
    blocked = UserFactory(email="blocked@example.test", full_name="Bea Blok", is_active=False)
    expired_user = UserFactory(email="expired@example.test", full_name="Erik Eind")
    used_user = UserFactory(email="used@example.test", full_name="Ulla Uit")
    blocked_raw = AccountToken.issue(blocked, purpose)
    expired_raw = AccountToken.issue(expired_user, purpose)
    AccountToken.objects.filter(user=expired_user).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    used_raw = AccountToken.issue(used_user, purpose)
    AccountToken.objects.filter(user=used_user).update(used_at=timezone.now())

    invalid = answer(dead_link(prefix, "x" * 43))
    assert invalid[0] == 410
    assert answer(dead_link(prefix, blocked_raw)) == invalid
    for raw, user in ((expired_raw, expired_user), (used_raw, used_user)):
        observed = answer(dead_link(prefix, raw))
        assert observed[0] == 410
        assert observed[2:] == invalid[2:]
        assert user.email not in observed[1] and user.full_name not in observed[1]
        # Apart from the reason, the same page.
        reason = re.compile(r"<p>\s*(This link|Deze link)[^<]*</p>")
        assert reason.sub("", observed[1]) == reason.sub("", invalid[1])
