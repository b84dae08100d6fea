"""Brute force on the login (issue 8, ASVS V6): django-axes locks per address and per account
and address pair after AXES_FAILURE_LIMIT failures, with a cool-off; an account guessed at from
many addresses needs a login link e-mailed to it besides the password (issue 14 item 11). Behind
the TLS proxy the client's address is the one the proxy saw, so a forged X-Forwarded-For neither
hides nor blames anyone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client as HttpClient
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.lockout import office_key
from portal.accounts.models import AccountToken
from portal.audit.context import client_ip
from portal.audit.models import AuditEntry

from .factories import PASSWORD, UserFactory
from .mail import links, path_of

LIMIT = 5


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = settings.LOGIN_LINK_AFTER_FAILURES = LIMIT
    settings.AXES_COOLOFF_TIME = 0.25  # hours


def attempt(email: str, password: str, ip: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": ip}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return HttpClient(**meta).post("/inloggen/", {"username": email, "password": password})


def logged_in(response) -> bool:
    return response.status_code == 302 and not response["Location"].startswith("/inloggen/")


def test_failures_from_one_address_lock_that_address_R_ACC_4(db):
    """N wrong passwords from one address, each for another account (a password spray), lock
    that address: even a right password from it is refused; another address still works."""
    user = UserFactory(email="jan@example.test")
    for n in range(LIMIT):
        attempt(f"guess{n}@example.test", "wrong-password", "203.0.113.7")
    locked = attempt(user.email, PASSWORD, "203.0.113.7")
    assert locked.status_code == 429
    assert logged_in(attempt(user.email, PASSWORD, "198.51.100.1"))


def test_failures_for_one_account_from_one_address_lock_that_pair_R_ACC_4(db):
    """R-ACC-4, issue 14 item 11: N wrong passwords for one account from one address lock that
    account and address pair: the right password from there is refused too."""
    user = UserFactory(email="jan@example.test")
    for _ in range(LIMIT):
        attempt(user.email, "wrong-password", "203.0.113.7")
    assert attempt(user.email, PASSWORD, "203.0.113.7").status_code == 429


def guess_from_many_addresses(email: str, count: int = LIMIT) -> None:
    for n in range(count):
        attempt(email, "wrong-password", f"198.51.100.{n + 1}")


def test_an_account_guessed_at_from_many_addresses_stops_the_attacker_R_ACC_4(db, run):
    """R-ACC-4, issue 14 item 11: after N wrong passwords for one account, each from another
    address, the password alone no longer logs in to it from any further address: the answer
    asks for the login link e-mailed to the account, and it is the same for a right and a
    wrong password (the attacker learns nothing about their guesses). Other accounts log in
    as usual."""
    user = UserFactory(email="jan@example.test")
    other = UserFactory(email="piet@example.test")
    guess_from_many_addresses(user.email)
    right = run(attempt, user.email, PASSWORD, "192.0.2.50")
    wrong = run(attempt, user.email, "another-guess", "192.0.2.51")
    for response in (right, wrong):
        assert response.status_code == 200
        assert "inloglink" in response.content.decode()
        assert "_auth_user_id" not in response.client.session
    assert _same_but_csrf(right, wrong)
    assert logged_in(attempt(other.email, PASSWORD, "192.0.2.50"))


def _same_but_csrf(first, second) -> bool:
    token = re.compile(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')
    return token.sub("", first.content.decode()) == token.sub("", second.content.decode())


def test_the_owner_gets_in_with_the_login_link_and_the_password_R_ACC_4(db, run, mailoutbox):
    """R-ACC-4, issue 14 item 11: while their account is guessed at from many addresses, the
    owner with the right password from a new address is not refused: they get a login link by
    e-mail, open it, log in with their password and are in. The link works once."""
    user = UserFactory(email="jan@example.test")
    guess_from_many_addresses(user.email)
    owner = HttpClient(REMOTE_ADDR="192.0.2.50")
    run(owner.post, "/inloggen/", {"username": user.email, "password": PASSWORD})
    [mail] = [m for m in mailoutbox if m.to == [user.email]]
    [link] = [link for link in links(mail.body) if "/inloggen/link/" in link]
    opened = owner.get(path_of(link), follow=True)
    assert opened.redirect_chain[-1][0] == "/inloggen/"
    response = owner.post("/inloggen/", {"username": user.email, "password": PASSWORD})
    assert logged_in(response)
    assert owner.session["_auth_user_id"] == str(user.pk)
    assert AccountToken.objects.get(user=user).used_at is not None
    # Used up: the same link does not let a second browser past the check.
    again = HttpClient(REMOTE_ADDR="192.0.2.60")
    assert again.get(path_of(link), follow=True).status_code == 410
    assert "_auth_user_id" not in again.session


def test_the_login_link_is_no_password_R_ACC_4(db, run, mailoutbox):
    """R-ACC-4, issue 14 item 11: the link alone (a read mailbox) does not log in: the password
    is still checked, a wrong one is a failure counted for that address; and the link of one
    account does not open another account under attack."""
    user = UserFactory(email="jan@example.test")
    other = UserFactory(email="piet@example.test")
    guess_from_many_addresses(user.email)
    guess_from_many_addresses(other.email)
    holder = HttpClient(REMOTE_ADDR="192.0.2.50")
    run(holder.post, "/inloggen/", {"username": user.email, "password": "x"})
    [link] = [link for m in mailoutbox for link in links(m.body) if "/inloggen/link/" in link]
    holder.get(path_of(link))
    wrong = holder.post("/inloggen/", {"username": user.email, "password": "wrong-password"})
    assert wrong.status_code == 200 and "onjuist" in wrong.content.decode()
    assert AccessAttempt.objects.filter(
        username=office_key(user.email), ip_address="192.0.2.50"
    ).exists()
    for_other = holder.post("/inloggen/", {"username": other.email, "password": PASSWORD})
    assert "inloglink" in for_other.content.decode()
    assert "_auth_user_id" not in holder.session


def test_an_attack_sends_one_login_link_at_a_time_R_ACC_4(db, run, mailoutbox):
    """R-ACC-4, issue 14 item 11: the attacker's further tries do not flood the owner's
    mailbox: while a login link is outstanding no other is sent; each try is audited."""
    user = UserFactory(email="jan@example.test")
    guess_from_many_addresses(user.email)
    for n in range(4):
        run(attempt, user.email, "guess", f"192.0.2.{n + 1}")
    assert [m.to for m in mailoutbox] == [[user.email]]
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("login.link_required") == 4
    assert actions.count("login.link_sent") == 1


def test_logging_in_to_an_own_account_does_not_wipe_the_count_R_ACC_4(db):
    """R-ACC-4, issue 14 item 11: an attacker with an account of their own cannot reset their
    address's count by logging in to it between guesses: a login forgets only the failures of
    its own account and address."""
    victim = UserFactory(email="jan@example.test")
    own = UserFactory(email="attacker@example.test")
    for _ in range(LIMIT - 1):
        attempt(victim.email, "wrong-password", "203.0.113.7")
    assert logged_in(attempt(own.email, PASSWORD, "203.0.113.7"))
    attempt(victim.email, "wrong-password", "203.0.113.7")
    assert attempt(victim.email, PASSWORD, "203.0.113.7").status_code == 429


def test_a_login_forgets_the_owners_own_typing_errors_R_ACC_4(db):
    """R-ACC-4: the owner's own wrong passwords are forgotten when they log in from there."""
    user = UserFactory(email="jan@example.test")
    for _ in range(LIMIT - 1):
        attempt(user.email, "wrong-password", "203.0.113.7")
    assert logged_in(attempt(user.email, PASSWORD, "203.0.113.7"))
    for _ in range(LIMIT - 1):
        attempt(user.email, "wrong-password", "203.0.113.7")
    assert logged_in(attempt(user.email, PASSWORD, "203.0.113.7"))


def test_the_real_user_is_back_in_after_the_cool_off_R_ACC_4(db):
    """After the cool-off the locked account logs in with its right password."""
    user = UserFactory(email="jan@example.test")
    for _ in range(LIMIT):
        attempt(user.email, "wrong-password", "203.0.113.7")
    assert attempt(user.email, PASSWORD, "203.0.113.7").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert logged_in(attempt(user.email, PASSWORD, "203.0.113.7"))


def test_a_forged_forwarded_for_neither_hides_nor_blames_R_ACC_4(db, settings):
    """Behind one proxy (TRUSTED_PROXY_COUNT=1): the attacker writes a different address into
    X-Forwarded-For on every attempt, the proxy appends the real one. The real address is
    locked (not hidden), and the address the attacker forged is not (not blamed)."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    victim = UserFactory(email="victim@example.test")
    for n in range(LIMIT):
        attempt(f"guess{n}@example.test", "wrong", proxy, forwarded=f"192.0.2.{n}, 203.0.113.7")
    hidden = attempt(victim.email, PASSWORD, proxy, forwarded="192.0.2.99, 203.0.113.7")
    assert hidden.status_code == 429
    # The forged addresses 192.0.2.x are not locked: their real owner logs in.
    assert logged_in(attempt(victim.email, PASSWORD, proxy, forwarded="192.0.2.0"))


def test_without_trusted_proxies_forwarded_for_is_ignored_R_ACC_4(rf, settings):
    """Not behind a proxy: X-Forwarded-For is the client's own text and is never used."""
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert client_ip(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "192.0.2.1"
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(request) == "10.0.0.2"


def test_the_login_link_does_not_skip_the_second_factor_R_ACC_4(db, run, mailoutbox):
    """R-ACC-4, R-ME-2, issue 14 item 11: an account with two-step verification under attack:
    link and password lead to the code step, not past it."""
    user = UserFactory(email="jan@example.test")
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    guess_from_many_addresses(user.email)
    owner = HttpClient(REMOTE_ADDR="192.0.2.50")
    run(owner.post, "/inloggen/", {"username": user.email, "password": PASSWORD})
    [link] = [link for m in mailoutbox for link in links(m.body) if "/inloggen/link/" in link]
    owner.get(path_of(link))
    response = owner.post("/inloggen/", {"username": user.email, "password": PASSWORD})
    assert response["Location"] == "/inloggen/code/"
    assert "_auth_user_id" not in owner.session


def test_an_expired_login_link_says_so_R_ACC_4(db, run, mailoutbox):
    """R-ACC-4, issue 14 item 11: a login link past LOGIN_LINK_MINUTES gets the dead-link page."""
    user = UserFactory(email="jan@example.test")
    guess_from_many_addresses(user.email)
    run(attempt, user.email, PASSWORD, "192.0.2.50")
    [link] = [link for m in mailoutbox for link in links(m.body) if "/inloggen/link/" in link]
    AccountToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = HttpClient().get(path_of(link), follow=True)
    assert response.status_code == 410
