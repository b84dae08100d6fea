"""Single-use links under concurrency (R-ACC-1, R-ACC-2, ASVS V6; issue 14 item 14): the same
link submitted by ten browsers at the same moment works for exactly one of them. Real threads,
each with its own database connection, against the database the suite runs on: CI runs the
suite on SQLite and again on PostgreSQL, where the requests truly run side by side.

On SQLite the test database is an in-memory one shared between connections, whose table locks
fail at once instead of waiting ("database table is locked"), unlike the file database the
portal runs on. For these tests the threads therefore use a file copy of it, opened with the
portal's own SQLite options (WAL, immediate transactions, a busy timeout)."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client as HttpClient

from portal.accounts.models import AccountToken
from portal.notifications.models import OutgoingEmail

from .factories import PASSWORD, UserFactory
from .mail import links, path_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("file_database")]

BROWSERS = 10
NEW_PASSWORD = "Zonnebloem-42-nieuw"


@pytest.fixture
def file_database(transactional_db, tmp_path):
    """On SQLite: every connection of the test (the threads' and this one) on a file copy of
    the in-memory test database; on PostgreSQL nothing to do."""
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "races.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    original_settings = connections.settings["default"]
    original_connection = connections["default"]
    connections.settings["default"] = {**original_settings, "NAME": str(path)}
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = original_settings
        connections["default"] = original_connection


def at_once(browsers: list[HttpClient], submit: Callable[[HttpClient], object]) -> list:
    """Let every browser submit at the same moment (a barrier); their responses."""
    barrier = threading.Barrier(len(browsers))
    responses: list = [None] * len(browsers)
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            responses[index] = submit(browsers[index])
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return responses


def browsers_with_link(path: str) -> list[HttpClient]:
    """Ten browsers (ten addresses) that each opened the same link."""
    browsers = [HttpClient(REMOTE_ADDR=f"198.51.100.{n + 1}") for n in range(BROWSERS)]
    for browser in browsers:
        browser.get(path)
    return browsers


def outcomes(responses) -> Counter:
    return Counter(response.status_code for response in responses)


def test_a_set_password_link_sent_by_ten_browsers_at_once_works_once_R_ACC_2():
    """R-ACC-2, issue 14 item 14: ten sessions submit a new password with the same link at
    once: exactly one sets it and is logged in, nine get "already used" (410); one "password
    set" e-mail."""
    user = UserFactory(email="jan@example.test")
    raw = AccountToken.issue(user, AccountToken.Purpose.SET_PASSWORD)
    browsers = browsers_with_link(f"/wachtwoord/nieuw/{raw}/")
    responses = at_once(
        browsers,
        lambda browser: browser.post(
            "/wachtwoord/nieuw/",
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        ),
    )
    assert outcomes(responses) == {302: 1, 410: BROWSERS - 1}
    logged_in = [b for b in browsers if b.session.get("_auth_user_id") == str(user.pk)]
    assert len(logged_in) == 1
    assert OutgoingEmail.objects.filter(kind="password_set").count() == 1


def test_an_invitation_confirmed_by_ten_browsers_at_once_works_once_R_ACC_1():
    """R-ACC-1, issue 14 item 14: ten sessions confirm the same invitation at once: one is
    accepted (one set-password e-mail follows), nine get "already used"."""
    user = UserFactory(email="jan@example.test")
    raw = AccountToken.issue(user, AccountToken.Purpose.INVITATION)
    browsers = browsers_with_link(f"/welkom/{raw}/")
    responses = at_once(browsers, lambda browser: browser.post("/welkom/", {"email": user.email}))
    assert outcomes(responses) == {200: 1, 410: BROWSERS - 1}
    assert OutgoingEmail.objects.filter(kind="set_password").count() == 1


def test_a_login_link_used_by_ten_browsers_at_once_logs_in_once_R_ACC_4(settings, mailoutbox):
    """R-ACC-4, issue 14 items 11 and 14: the login link of an account under attack, opened in
    ten browsers that all know the password, lets exactly one of them log in."""
    settings.AXES_FAILURE_LIMIT = settings.LOGIN_LINK_AFTER_FAILURES = 5
    user = UserFactory(email="jan@example.test")
    for n in range(5):
        HttpClient(REMOTE_ADDR=f"192.0.2.{n + 1}").post(
            "/inloggen/", {"username": user.email, "password": "wrong-password"}
        )
    HttpClient(REMOTE_ADDR="192.0.2.99").post(
        "/inloggen/", {"username": user.email, "password": PASSWORD}
    )
    [link] = [link for mail in mailoutbox for link in links(mail.body) if "/inloggen/link/" in link]
    browsers = browsers_with_link(path_of(link))
    responses = at_once(
        browsers,
        lambda browser: browser.post("/inloggen/", {"username": user.email, "password": PASSWORD}),
    )
    logged_in = [b for b in browsers if b.session.get("_auth_user_id") == str(user.pk)]
    assert len(logged_in) == 1
    assert outcomes(responses)[302] == 1
