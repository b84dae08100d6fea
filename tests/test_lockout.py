"""Brute force on the login (issue 8, ASVS V6): django-axes locks per address and per account
after AXES_FAILURE_LIMIT failures, with a cool-off; behind the TLS proxy the client's address is
the one the proxy saw, so a forged X-Forwarded-For neither hides nor blames anyone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client as HttpClient
from django.utils import timezone

from portal.audit.services import client_ip

from .factories import PASSWORD, UserFactory

LIMIT = 5


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
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


def test_failures_against_one_account_from_many_addresses_lock_the_account_R_ACC_4(db):
    """N wrong passwords against one account from N addresses lock that account, also for a
    new address; other accounts are not affected."""
    user = UserFactory(email="jan@example.test")
    other = UserFactory(email="piet@example.test")
    for n in range(LIMIT):
        attempt(user.email, "wrong-password", f"198.51.100.{n + 1}")
    assert attempt(user.email, PASSWORD, "192.0.2.50").status_code == 429
    assert logged_in(attempt(other.email, PASSWORD, "192.0.2.50"))


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
