"""Rate limits (issue 8, ASVS V6) of the forgotten-password form (R-ACC-4), the invitation and
set-password links (R-ACC-1, R-ACC-2), the second-factor codes and SMS sending (R-ME-2, R-X-2)
and the API (R-OFF-6): N requests pass, the next one gets 429 (a branded page, Retry-After,
nothing done), another address or account is not affected, a forged X-Forwarded-For does not
reset the count, and the end of the window lets the user back in. Small rates are set per test;
time is moved forward instead of waited for."""

from __future__ import annotations

import re
import time
from pathlib import Path
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.conf import settings as django_settings
from django.test import Client as HttpClient
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.api import throttling
from portal.audit.models import AuditEntry
from portal.notifications.models import OutgoingEmail
from portal.twofactor.models import SmsCodeSent, SmsDevice

from .api_helpers import Api, make_token
from .api_problems import problem
from .factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

N = 3
LIMITED_NL = "Dit is in korte tijd te vaak geprobeerd"
LIMITED_EN = "This has been tried too often in a short time"


@pytest.fixture(autouse=True)
def sms_outbox(settings, tmp_path):
    settings.SMS_DIR = tmp_path / "sms"
    settings.SMS_BACKEND = "outbox"
    settings.SMS_CODES_PER_HOUR = 100
    settings.OTP_THROTTLE_FACTOR = 0
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def later(monkeypatch):
    """Move the clock of the rate limits forward by ``seconds``."""

    def _later(seconds: int) -> None:
        moved = time.time() + seconds
        monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: moved))
        monkeypatch.setattr(throttling._PortalThrottle, "timer", staticmethod(lambda: moved))

    return _later


def http(ip: str = "203.0.113.7", **meta) -> HttpClient:
    return HttpClient(REMOTE_ADDR=ip, **meta)


def is_limited(response, text: str = LIMITED_NL) -> bool:
    if response.status_code != 429:
        return False
    assert text in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 24 * 3600
    return True


def sms_count() -> int:
    folder = Path(django_settings.SMS_DIR)
    return len(list(folder.glob("*.sms"))) if folder.is_dir() else 0


# --- the forgotten-password form (R-ACC-4) -------------------------------------------------------


def forgot(client: HttpClient, email: str, **extra):
    return client.post("/wachtwoord/instellen/", {"email": email}, **extra)


def test_password_reset_is_limited_per_email_address_R_ACC_4(settings):
    """R-ACC-4, issue 8: N requests for one e-mail address pass (each sends a link), the N+1st
    gets 429 and sends nothing, even from another address; another e-mail address is fine."""
    settings.RATE_LIMIT_PASSWORD_RESET_PER_EMAIL = f"{N}/h"
    user = UserFactory(email="jan@example.test")
    for n in range(N):
        response = forgot(http(f"198.51.100.{n + 1}"), "Jan@Example.test ")
        assert response.status_code == 200
    assert OutgoingEmail.objects.filter(to=user.email).count() == N
    assert is_limited(forgot(http("192.0.2.99"), "jan@example.test"))
    assert OutgoingEmail.objects.filter(to=user.email).count() == N
    assert forgot(http("192.0.2.99"), "piet@example.test").status_code == 200


def test_password_reset_is_limited_per_address_R_ACC_4(settings):
    """R-ACC-4, issue 8: N requests from one address (each for another e-mail address) pass,
    the N+1st gets 429; another address is not affected."""
    settings.RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS = f"{N}/h"
    attacker = http("203.0.113.7")
    for n in range(N):
        assert forgot(attacker, f"guess{n}@example.test").status_code == 200
    assert is_limited(forgot(attacker, "guess-next@example.test"))
    assert forgot(http("198.51.100.1"), "guess-next@example.test").status_code == 200


def test_a_limited_request_is_audited_once_per_window_without_the_address_R_ACC_4(settings):
    """R-ACC-4, issue 8: the first refusal goes into the audit trail with the client's address
    and the limit, never the e-mail address typed; further refusals in the same window do not
    add entries (an attacker cannot fill the trail)."""
    settings.RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS = f"{N}/h"
    attacker = http("203.0.113.7")
    for n in range(N + 3):
        forgot(attacker, f"guess{n}@example.test")
    entries = list(AuditEntry.objects.filter(action="rate_limited"))
    assert len(entries) == 1
    entry = entries[0]
    assert entry.ip_address == "203.0.113.7"
    assert entry.data["scope"] == "password_reset"
    assert entry.data["limit"] == ["address"]
    assert "guess" not in str(entry.data) + entry.target


def test_the_limit_page_speaks_english_to_an_english_visitor_R_ACC_4(settings):
    """R-ACC-4, R-ME-1, issue 8: the 429 page is in the visitor's language (Dutch by
    default, English when chosen)."""
    settings.RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS = f"{N}/h"
    english = http("203.0.113.7")
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for n in range(N):
        forgot(english, f"guess{n}@example.test")
    response = forgot(english, "guess@example.test")
    assert is_limited(response, LIMITED_EN)
    assert "Too many attempts" in response.content.decode()
    assert is_limited(forgot(http("203.0.113.7"), "x@example.test"), LIMITED_NL)


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_forwarded_for_does_not_reset_the_count_R_ACC_4(settings, proxies):
    """R-ACC-4, issue 8: a new X-Forwarded-For on every request neither hides the client
    (TRUSTED_PROXY_COUNT=0: the header is ignored; =1: the entry the proxy appended counts)
    nor blames the forged address, which can still ask for a link."""
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS = f"{N}/h"
    remote = "10.0.0.2" if proxies else "203.0.113.7"
    real = "203.0.113.7"

    def forged(n: int) -> str:
        return f"192.0.2.{n}, {real}" if proxies else f"192.0.2.{n}"

    for n in range(N):
        response = forgot(http(remote), f"g{n}@example.test", HTTP_X_FORWARDED_FOR=forged(n))
        assert response.status_code == 200
    assert is_limited(forgot(http(remote), "g@example.test", HTTP_X_FORWARDED_FOR=forged(50)))
    # The forged address, as its real owner (behind the same proxy, or directly), is not blamed.
    if proxies:
        innocent = forgot(http(remote), "g@example.test", HTTP_X_FORWARDED_FOR="192.0.2.1")
    else:
        innocent = forgot(http("192.0.2.1"), "g@example.test")
    assert innocent.status_code == 200


def test_the_end_of_the_window_lets_the_user_back_in_R_ACC_4(settings, later):
    """R-ACC-4, issue 8: refused within the hour, served again once the window is over."""
    settings.RATE_LIMIT_PASSWORD_RESET_PER_EMAIL = f"{N}/h"
    UserFactory(email="jan@example.test")
    for n in range(N):
        forgot(http(f"198.51.100.{n + 1}"), "jan@example.test")
    assert is_limited(forgot(http(), "jan@example.test"))
    later(3600 + 1)
    assert forgot(http(), "jan@example.test").status_code == 200
    assert OutgoingEmail.objects.filter(to="jan@example.test").count() == N + 1


def test_an_unreachable_cache_lets_the_request_through_R_ACC_4(settings, monkeypatch):
    """R-ACC-4, issue 8: when the cache that holds the counts fails, the page still answers
    (no crash; logged) and the link is sent."""

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("portal.accounts.ratelimits.get_usage", broken)
    UserFactory(email="jan@example.test")
    assert forgot(http(), "jan@example.test").status_code == 200
    assert OutgoingEmail.objects.filter(to="jan@example.test").count() == 1


# --- invitation and set-password links (R-ACC-1, R-ACC-2) ----------------------------------------


@pytest.mark.parametrize("prefix", ["/welkom/", "/wachtwoord/nieuw/"])
def test_guessing_link_tokens_is_limited_per_address_R_ACC_1_R_ACC_2(settings, prefix):
    """R-ACC-1, R-ACC-2, issue 8: N links opened from one address pass (to the page that
    checks them), the N+1st gets 429 and stores nothing in the session; another address
    still opens links."""
    settings.RATE_LIMIT_ACCOUNT_LINKS_PER_ADDRESS = f"{N}/h"
    guesser = http("203.0.113.7")
    for n in range(N):
        response = guesser.get(f"{prefix}guess{n}/")
        assert response.status_code == 302
    response = guesser.get(f"{prefix}guess-last/")
    assert is_limited(response)
    assert "guess-last" not in str(dict(guesser.session))
    assert http("198.51.100.1").get(f"{prefix}guess/").status_code == 302


def test_the_link_forms_count_too_R_ACC_2(settings):
    """R-ACC-2, issue 8: sending the set-password form counts against the same limit (each
    send checks the token again)."""
    settings.RATE_LIMIT_ACCOUNT_LINKS_PER_ADDRESS = f"{N}/h"
    guesser = http("203.0.113.7")
    guesser.get("/wachtwoord/nieuw/guess/")
    for _ in range(N - 1):
        assert guesser.post("/wachtwoord/nieuw/", {}).status_code == 410
    assert is_limited(guesser.post("/wachtwoord/nieuw/", {}))


# --- second-factor codes and SMS (R-ME-2, R-X-2) -------------------------------------------------


def with_sms(user) -> SmsDevice:
    return SmsDevice.objects.create(user=user, name="sms", number="+31612345678", confirmed=True)


def pending_login(user, ip: str) -> HttpClient:
    client = http(ip)
    response = client.post("/inloggen/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/inloggen/code/"
    return client


def enter(client: HttpClient, code: str = "000000"):
    return client.post("/inloggen/code/", {"code": code})


def test_login_codes_are_limited_per_user_R_ME_2(settings):
    """R-ME-2, issue 8: N codes for one user's pending login pass (wrong: the page again), the
    N+1st gets 429 — also from a new login at another address; another user is not affected."""
    settings.RATE_LIMIT_CODES_PER_USER = f"{N}/5m"
    user, other = UserFactory(email="jan@example.test"), UserFactory(email="piet@example.test")
    with_sms(user), with_sms(other)
    first = pending_login(user, "203.0.113.7")
    for _ in range(N):
        assert enter(first).status_code == 200
    assert is_limited(enter(first))
    assert is_limited(enter(pending_login(user, "198.51.100.1")))
    assert enter(pending_login(other, "198.51.100.1")).status_code == 200
    assert AuditEntry.objects.get(action="rate_limited").target == str(user)


def test_login_codes_are_limited_per_address_R_ME_2(settings):
    """R-ME-2, issue 8: N codes from one address (for several users) pass, the N+1st gets 429
    even with the right code, and logs nobody in; the same user from another address goes on."""
    settings.RATE_LIMIT_CODES_PER_ADDRESS = f"{N}/5m"
    users = [UserFactory(email=f"u{n}@example.test") for n in range(N + 1)]
    for user in users:
        with_sms(user)
    for user in users[:N]:
        assert enter(pending_login(user, "203.0.113.7")).status_code == 200
    last = pending_login(users[N], "203.0.113.7")
    code = re.search(r"\b(\d{6})\b", sorted(Path(settings.SMS_DIR).glob("*.sms"))[-1].read_text())
    assert is_limited(enter(last, code.group(1)))
    assert "_auth_user_id" not in last.session
    elsewhere = pending_login(users[N], "198.51.100.1")
    assert enter(elsewhere).status_code == 200


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_forwarded_for_does_not_reset_the_code_count_R_ME_2(settings, proxies):
    """R-ME-2, issue 8: changing X-Forwarded-For on every code does not reset the count per
    address (TRUSTED_PROXY_COUNT=0 and =1)."""
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.RATE_LIMIT_CODES_PER_ADDRESS = f"{N}/5m"
    remote = "10.0.0.2" if proxies else "203.0.113.7"
    users = [UserFactory(email=f"u{n}@example.test") for n in range(N + 1)]
    for n, user in enumerate(users):
        with_sms(user)
        client = http(remote, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7")
        client.post("/inloggen/", {"username": user.email, "password": PASSWORD})
        response = enter(client)
        assert (response.status_code == 429) == (n == N), n


def test_the_code_window_ends_R_ME_2(settings, later):
    """R-ME-2, issue 8: after the window (5 minutes) codes are accepted again."""
    settings.RATE_LIMIT_CODES_PER_USER = f"{N}/5m"
    user = UserFactory(email="jan@example.test")
    with_sms(user)
    client = pending_login(user, "203.0.113.7")
    for _ in range(N):
        enter(client)
    assert is_limited(enter(client))
    later(5 * 60 + 1)
    assert enter(client).status_code == 200


def test_setup_codes_are_limited_per_user_R_X_2(settings):
    """R-X-2, issue 8: confirming the authenticator app: N codes pass, the N+1st gets 429."""
    settings.RATE_LIMIT_CODES_PER_USER = f"{N}/5m"
    user = UserFactory(email="jan@example.test")
    client = http()
    client.force_login(user)
    TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    for _ in range(N):
        response = client.post("/mijn-gegevens/verificatie/app/code/", {"code": "000000"})
        assert response.status_code == 200
    assert is_limited(client.post("/mijn-gegevens/verificatie/app/code/", {"code": "000000"}))
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_sending_sms_codes_is_limited_per_user_across_numbers_R_ME_2(settings):
    """R-ME-2, issue 8: SMS_CODES_PER_HOUR counts per number, so one account could have codes
    sent to many numbers (SMS pumping); N requests that send an SMS pass, the N+1st gets 429
    and sends nothing, whatever the number."""
    settings.RATE_LIMIT_SMS_PER_USER = f"{N}/h"
    user = UserFactory(email="jan@example.test")
    client = http()
    client.force_login(user)
    for n in range(N):
        response = client.post("/mijn-gegevens/verificatie/sms/", {"number": f"06-1234567{n}"})
        assert response.status_code == 302
    assert sms_count() == N
    response = client.post("/mijn-gegevens/verificatie/sms/", {"number": "06-12345679"})
    assert is_limited(response)
    assert is_limited(client.post("/mijn-gegevens/verificatie/sms/opnieuw/"))
    assert sms_count() == N
    other = http()
    other.force_login(UserFactory(email="piet@example.test"))
    assert (
        other.post("/mijn-gegevens/verificatie/sms/", {"number": "06-12345679"}).status_code == 302
    )


def test_sending_the_login_code_again_is_limited_R_ME_2(settings):
    """R-ME-2, issue 8: "send again" at login: N requests pass, the N+1st gets 429; the codes
    per number stay capped by SMS_CODES_PER_HOUR as before."""
    settings.RATE_LIMIT_SMS_PER_USER = f"{N}/h"
    user = UserFactory(email="jan@example.test")
    with_sms(user)
    client = pending_login(user, "203.0.113.7")  # one SMS
    for _ in range(N):
        assert client.post("/inloggen/code/sms/").status_code == 302
    assert is_limited(client.post("/inloggen/code/sms/"))
    assert SmsCodeSent.objects.count() == 1 + N


# --- the API (R-OFF-6) ---------------------------------------------------------------------------


def test_api_calls_are_limited_per_token_R_OFF_6(settings, later):
    """R-OFF-6, issue 8: N calls with one token pass, the N+1st gets 429 with Retry-After;
    another token is not affected; after the window the token works again."""
    settings.API_RATE_PER_TOKEN = f"{N}/m"
    staff = StaffFactory(email="koppeling@office.test")
    _token, raw = make_token(staff)
    _other, other_raw = make_token(staff, name="Tweede koppeling")
    api = Api(raw)
    for _ in range(N):
        assert api.get("/api/v1/statuses/").status_code == 200
    refused = api.get("/api/v1/statuses/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert problem(refused, 429, "throttled")["detail"]
    assert Api(other_raw).get("/api/v1/statuses/").status_code == 200
    entry = AuditEntry.objects.get(action="rate_limited")
    assert entry.data["scope"] == "api_token" and raw not in str(entry.data)
    later(61)
    assert api.get("/api/v1/statuses/").status_code == 200


def test_guessing_api_tokens_is_limited_per_address_R_OFF_6(settings):
    """R-OFF-6, issue 8: N calls with a wrong token (or none) from one address get 401, the
    N+1st gets 429; a valid token from that address still works; another address still gets
    its 401."""
    settings.API_RATE_PER_ADDRESS = f"{N}/m"
    _token, raw = make_token(StaffFactory(email="koppeling@office.test"))
    for n in range(N):
        guess = Api(f"kp_0000000{n}_" + "x" * 43) if n % 2 else Api(None)
        assert guess.get("/api/v1/dossiers/").status_code == 401
    refused = Api("kp_00000009_" + "x" * 43).get("/api/v1/dossiers/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Api(raw).get("/api/v1/dossiers/").status_code == 200
    elsewhere = Api("kp_00000009_" + "x" * 43)
    elsewhere.http = HttpClient(REMOTE_ADDR="198.51.100.1")
    assert elsewhere.get("/api/v1/dossiers/").status_code == 401


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_forwarded_for_does_not_reset_the_api_count_R_OFF_6(settings, proxies):
    """R-OFF-6, issue 8: token guesses with a new X-Forwarded-For each time are still counted
    per real address (TRUSTED_PROXY_COUNT=0 and =1)."""
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.API_RATE_PER_ADDRESS = f"{N}/m"
    remote = "10.0.0.2" if proxies else "203.0.113.7"
    statuses = []
    for n in range(N + 1):
        client = HttpClient(REMOTE_ADDR=remote)
        response = client.get(
            "/api/v1/dossiers/",
            headers={
                "Authorization": "Bearer kp_00000000_" + "x" * 43,
                "X-Forwarded-For": f"192.0.2.{n}, 203.0.113.7",
            },
        )
        statuses.append(response.status_code)
    assert statuses == [401] * N + [429]


def test_the_schema_documents_429_with_retry_after_R_OFF_6():
    """R-OFF-6, issue 8: every operation of the OpenAPI schema lists 429 with Retry-After."""
    _token, raw = make_token(StaffFactory(email="schema@office.test"))
    schema = Api(raw).get("/api/schema/?format=json").json()
    operations = [
        operation
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
        for operation in item.values()
    ]
    assert len(operations) >= 20
    for operation in operations:
        assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_the_password_asked_before_a_second_factor_change_is_limited_R_ME_2(settings):
    """R-ME-2/R-X-2, issue 8: a hijacked session cannot guess the password on the pages that
    change the second factor: N tries pass, the N+1st gets 429 — even with the right password
    — and nothing changes; the count is per user, shared by the three pages."""
    settings.RATE_LIMIT_PASSWORD_CHECKS_PER_USER = f"{N}/h"
    user = UserFactory(email="jan@example.test")
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = http()
    client.force_login(user)
    pages = [
        "/mijn-gegevens/verificatie/herstelcodes/",
        "/mijn-gegevens/verificatie/uitzetten/",
        "/mijn-gegevens/verificatie/app/",
    ]
    for n in range(N):
        response = client.post(pages[n % len(pages)], {"password": f"fout-{n}"})
        assert response.status_code == 200
    assert is_limited(client.post("/mijn-gegevens/verificatie/uitzetten/", {"password": PASSWORD}))
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get("/mijn-gegevens/verificatie/uitzetten/").status_code == 200  # GET: a page
