"""Accounts per office (R-TEN-3): the same e-mail address at two offices is two accounts, with
their own passwords, sessions, lockout counts, second factors and passkeys."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.utils import timezone

from portal.accounts.lockout import office_key
from portal.core import tenancy
from portal.offices.models import Office, OfficeHost

from .factories import UserFactory
from .webauthn_helpers import SoftPasskey

EMAIL = "jan@example.test"
PASSWORD_A = "Wachtwoord-van-A-1"
PASSWORD_B = "Wachtwoord-van-B-2"
LIMIT = 5


def make_office(name: str, host: str) -> Office:
    with tenancy.cross_office():
        office = Office.objects.create(name=name)
        OfficeHost.objects.create(office=office, name=host, primary=True)
    return office


@pytest.fixture
def offices(db, settings):
    settings.AXES_FAILURE_LIMIT = settings.LOGIN_LINK_AFTER_FAILURES = LIMIT
    settings.AXES_COOLOFF_TIME = 0.25
    settings.OTP_THROTTLE_FACTOR = 0
    a = make_office("Notariaat Aalberts", "a.example")
    b = make_office("Notariaat Bosman", "b.example")
    with tenancy.office_scope(a):
        user_a = UserFactory(email=EMAIL, password=PASSWORD_A)
    with tenancy.office_scope(b):
        user_b = UserFactory(email=EMAIL, password=PASSWORD_B)
    return a, b, user_a, user_b


def login(host: str, password: str, ip: str = "192.0.2.1", http: HttpClient | None = None):
    http = http or HttpClient(REMOTE_ADDR=ip)
    response = http.post(
        "/inloggen/", {"username": EMAIL, "password": password}, HTTP_HOST=host, REMOTE_ADDR=ip
    )
    return http, response


def signed_in_as(http: HttpClient, host: str):
    """The user id the portal sees on ``host`` with this browser's cookies, or None."""
    response = http.get("/mijn-gegevens/", HTTP_HOST=host)
    if response.status_code != 200:
        return None
    return response.wsgi_request.user.pk


def test_same_email_two_offices_two_passwords_R_TEN_3(offices):
    """R-TEN-3: the same address is an account at each office with its own password: A's
    password works at A's host only, B's at B's host only."""
    _a, _b, user_a, user_b = offices
    assert user_a.pk != user_b.pk
    http, ok = login("a.example", PASSWORD_A)
    assert ok.status_code == 302 and signed_in_as(http, "a.example") == user_a.pk
    http, wrong = login("a.example", PASSWORD_B)
    assert wrong.status_code == 200 and "_auth_user_id" not in http.session
    http, ok = login("b.example", PASSWORD_B)
    assert ok.status_code == 302 and signed_in_as(http, "b.example") == user_b.pk
    http, wrong = login("b.example", PASSWORD_A)
    assert wrong.status_code == 200 and "_auth_user_id" not in http.session


def test_session_cookie_of_one_office_is_worthless_at_another_R_TEN_3(offices, settings):
    """R-TEN-3: A's session cookie sent to B's host signs no one in there (not A's account,
    nor B's account of the same address); at A's host it still signs in A's account."""
    _a, _b, user_a, _user_b = offices
    http, ok = login("a.example", PASSWORD_A)
    assert ok.status_code == 302
    cookie = http.cookies[settings.SESSION_COOKIE_NAME].value
    elsewhere = HttpClient()
    elsewhere.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert signed_in_as(elsewhere, "b.example") is None
    assert elsewhere.post("/inloggen/passkey/opties/", HTTP_HOST="b.example").status_code == 200
    assert signed_in_as(elsewhere, "b.example") is None
    # The session at A is left alone (a browser keeps a cookie per host: Django's test client
    # keeps one, so B's answer went to the other client).
    assert signed_in_as(http, "a.example") == user_a.pk


def test_a_guessed_at_account_at_one_office_leaves_the_other_usable_R_TEN_3(offices):
    """R-TEN-3: failures count per office. The address guessed at from many client addresses
    at A needs a login link there; the account of the same address at B logs in with its
    password alone. The stored lockout name carries the office."""
    a, _b, _user_a, user_b = offices
    for n in range(LIMIT):
        login("a.example", "wrong-password", ip=f"198.51.100.{n + 1}")
    with tenancy.office_scope(a):
        assert AccessAttempt.objects.filter(username=office_key(EMAIL)).count() == LIMIT
    assert AccessAttempt.objects.filter(username=f"office-{a.pk}:{EMAIL}").count() == LIMIT
    _http, at_a = login("a.example", PASSWORD_A, ip="203.0.113.9")
    assert at_a.status_code == 200 and "inloglink" in at_a.content.decode()
    http, at_b = login("b.example", PASSWORD_B, ip="203.0.113.9")
    assert at_b.status_code == 302
    assert signed_in_as(http, "b.example") == user_b.pk


def test_a_locked_pair_at_one_office_is_not_locked_at_another_R_TEN_3(offices, settings):
    """R-TEN-3: the account and client address pair locked at A (wrong passwords from one
    address) is not locked at B for B's account of the same address. (The lock of a client
    address alone, a spray across accounts, is installation-wide: it is left out here.)"""
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
    for _ in range(LIMIT):
        login("a.example", "wrong-password", ip="203.0.113.7")
    _http, locked = login("a.example", PASSWORD_A, ip="203.0.113.7")
    assert locked.status_code == 429
    _http, at_b = login("b.example", PASSWORD_B, ip="203.0.113.7")
    assert at_b.status_code == 302


def test_totp_issuer_is_the_offices_name_R_TEN_3(offices):
    """R-TEN-3: an authenticator app lists the code under the account's office."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    a, b, user_a, user_b = offices
    for office, user in ((a, user_a), (b, user_b)):
        with tenancy.office_scope(office):
            device = TOTPDevice.objects.create(user=user, name="app")
            assert f"issuer={office.name.replace(' ', '%20')}" in device.config_url


def test_sms_code_limit_counts_per_office_R_TEN_3(offices, settings, tmp_path):
    """R-TEN-3: the SMS codes sent to a number at A do not count against the same number at
    B."""
    from portal.twofactor import services
    from portal.twofactor.models import SmsDevice

    a, b, user_a, user_b = offices
    settings.SMS_BACKEND = "outbox"
    settings.SMS_DIR = tmp_path
    settings.SMS_CODES_PER_HOUR = 2
    number = "+31612345678"
    with tenancy.office_scope(a):
        device_a = SmsDevice.objects.create(user=user_a, number=number, name="sms")
        services.send_code(device_a)
        services.send_code(device_a)
        with pytest.raises(services.TooManyCodes):
            services.send_code(device_a)
    with tenancy.office_scope(b):
        device_b = SmsDevice.objects.create(user=user_b, number=number, name="sms")
        assert services.send_code(device_b)


def test_passkey_relying_party_is_the_requests_host_R_TEN_3(offices):
    """R-TEN-3: the passkeys' relying party id and origin are the host the request came to."""
    from portal.twofactor.passkeys import PortalWebAuthnHelper

    a, *_ = offices
    request = RequestFactory().get("/", HTTP_HOST="a.example")
    with tenancy.office_scope(a):
        helper = PortalWebAuthnHelper(request=request)
        assert helper.get_relying_party_domain() == "a.example"
        assert helper.get_allowed_origins() == ["http://a.example"]
        assert helper.get_relying_party_name() == "Notariaat Aalberts"


def test_passkey_made_at_one_office_signs_in_there_only_R_TEN_3(offices):
    """R-TEN-3: a passkey made at A's host signs in to A's account there; the same passkey
    answering at B's host (for B's relying party or A's) signs in no one."""
    import html
    import json
    import re

    _a, _b, user_a, _user_b = offices
    http, _ok = login("a.example", PASSWORD_A)
    key = SoftPasskey(rp_id="a.example", origin="http://a.example")
    response = http.post(
        "/mijn-gegevens/verificatie/passkey/", {"name": "Telefoon"}, HTTP_HOST="a.example"
    )
    assert response.status_code == 302
    page = http.get("/mijn-gegevens/verificatie/passkey/maken/", HTTP_HOST="a.example")
    match = re.search(r'data-passkey-options="([^"]*)"', page.content.decode())
    assert match
    options = json.loads(html.unescape(match.group(1)))
    assert options["rp"]["id"] == "a.example"
    made = http.post(
        "/mijn-gegevens/verificatie/passkey/maken/",
        {"answer": key.register(options)},
        HTTP_HOST="a.example",
    )
    assert made.status_code == 200

    def passkey_login(host: str, **answer):
        browser = HttpClient()
        options = browser.post("/inloggen/passkey/opties/", HTTP_HOST=host).json()
        answer = key.assert_(options, **answer)
        browser.post("/inloggen/passkey/", {"answer": answer}, HTTP_HOST=host)
        return browser.session.get("_auth_user_id")

    assert passkey_login("b.example") is None  # A's relying party and origin
    assert passkey_login("b.example", origin="http://b.example") is None
    # Even an answer made for B's relying party and origin: the account is A's.
    assert passkey_login("b.example", origin="http://b.example", rp_id="b.example") is None
    assert passkey_login("a.example") == str(user_a.pk)


def test_suspended_office_login_page_is_unavailable_R_TEN_3(offices):
    """R-TEN-3, R-TEN-4: a suspended office signs no one in; the other office still does."""
    a, *_ = offices
    with tenancy.cross_office():
        Office.objects.filter(pk=a.pk).update(suspended_at=timezone.now())
    _http, at_a = login("a.example", PASSWORD_A)
    assert at_a.status_code == 503
    _http, at_b = login("b.example", PASSWORD_B)
    assert at_b.status_code == 302


def test_office_admin_lists_only_its_own_login_failures_R_TEN_3(offices):
    """R-TEN-3: the login-protection records in A's admin are A's: the failures for the same
    address at B are not listed there."""
    from django.urls import reverse

    from .factories import AdministratorFactory
    from .workspace_helpers import verify_second_factor

    a, b, *_ = offices
    login("a.example", "wrong-at-a", ip="192.0.2.10")
    login("b.example", "wrong-at-b", ip="192.0.2.20")
    login("b.example", "wrong-at-b", ip="192.0.2.21")
    with tenancy.office_scope(a):
        admin = AdministratorFactory(email="beheer@a.example")
    http = HttpClient()
    http.force_login(admin)
    verify_second_factor(http)
    page = http.get(reverse("admin:axes_accessattempt_changelist"), HTTP_HOST="a.example")
    assert page.status_code == 200
    text = page.content.decode()
    assert "192.0.2.10" in text
    assert "192.0.2.20" not in text and "192.0.2.21" not in text
    assert AccessAttempt.objects.count() == 3


def test_password_reset_limit_per_address_counts_per_office_R_TEN_3(offices, settings):
    """R-TEN-3: the forgotten-password limit of an e-mail address reached at A leaves B's
    account of that address able to ask for its link."""
    from portal.notifications.models import OutgoingEmail

    a, b, *_ = offices
    settings.RATE_LIMIT_PASSWORD_RESET_PER_EMAIL = "2/h"

    def forgot(host: str, n: int):
        return HttpClient(REMOTE_ADDR=f"198.51.100.{n}").post(
            "/wachtwoord/instellen/", {"email": EMAIL}, HTTP_HOST=host
        )

    assert [forgot("a.example", n).status_code for n in (1, 2, 3)] == [200, 200, 429]
    assert forgot("b.example", 4).status_code == 200
    with tenancy.office_scope(b):
        assert OutgoingEmail.objects.filter(to=EMAIL).count() == 1
    with tenancy.office_scope(a):
        assert OutgoingEmail.objects.filter(to=EMAIL).count() == 2
