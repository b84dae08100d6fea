"""Two-step verification (R-ME-2: SMS with recovery codes; R-X-2: authenticator app) through
Django's test client and the outbox SMS backend (the embedded mode's)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.models import AuditEntry
from portal.twofactor import services
from portal.twofactor.models import RecoveryCode, SmsDevice

from .factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

RECOVERY = re.compile(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b")
NUMBER = "06-12345678"
E164 = "+31612345678"


@pytest.fixture(autouse=True)
def no_waiting(settings, tmp_path):
    """Throttling off unless a test turns it on; each test its own SMS folder."""
    settings.OTP_THROTTLE_FACTOR = 0
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.SMS_DIR = tmp_path / "sms"
    settings.SMS_BACKEND = "outbox"


def sms_messages() -> list[str]:
    folder = Path(django_settings.SMS_DIR)
    return [p.read_text() for p in sorted(folder.glob("*.sms"))] if folder.is_dir() else []


def last_code() -> str:
    text = sms_messages()[-1]
    return re.search(r"\b(\d{6})\b", text).group(1)


def log_in_with_password(client, user) -> object:
    return client.post("/inloggen/", {"username": user.email, "password": PASSWORD})


def turn_on_sms(client, user) -> list[str]:
    """Through the pages: number, code from the SMS outbox, recovery codes shown once."""
    response = client.post("/mijn-gegevens/verificatie/sms/", {"number": NUMBER})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/mijn-gegevens/verificatie/sms/code/"
    response = client.post("/mijn-gegevens/verificatie/sms/code/", {"code": last_code()})
    assert response.status_code == 200
    codes = RECOVERY.findall(response.content.decode())
    assert len(codes) == services.RECOVERY_CODE_COUNT
    return codes


def test_sms_two_step_verification_end_to_end_R_ME_2(client, person):
    """R-ME-2: turn on with a number and the SMS code, get recovery codes once; from then on
    login asks for the code after the password (not logged in before it), a recovery code works
    instead, once. The session key changes after the password and after the code."""
    client.force_login(person)
    codes = turn_on_sms(client, person)
    device = SmsDevice.objects.get(user=person)
    assert device.confirmed and device.number == E164
    assert AuditEntry.objects.filter(action="2fa.enabled", actor=person).exists()
    # The profile says it is on; the recovery codes are not shown again.
    profile = client.get("/mijn-gegevens/").content.decode()
    assert "+31" in profile and not RECOVERY.search(profile)
    client.post("/uitloggen/")

    # Password step: not logged in, new session key, a code by SMS.
    anonymous_key = client.get("/inloggen/").wsgi_request.session.session_key
    response = log_in_with_password(client, person)
    assert response.status_code == 302 and response["Location"] == "/inloggen/code/"
    assert "_auth_user_id" not in client.session
    pending_key = client.session.session_key
    assert pending_key != anonymous_key
    assert client.get("/").status_code == 302  # still anonymous
    code_page = client.get("/inloggen/code/")
    assert code_page.status_code == 200
    assert 'autocomplete="one-time-code"' in code_page.content.decode()
    code = last_code()
    assert code not in code_page.content.decode()

    # Code step: logged in, another new session key.
    response = client.post("/inloggen/code/", {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
    assert client.session.session_key != pending_key
    assert AuditEntry.objects.filter(action="login.second_factor", actor=person).exists()
    client.post("/uitloggen/")

    # A recovery code instead of the SMS code: once.
    log_in_with_password(client, person)
    response = client.post("/inloggen/code/", {"code": codes[0].lower()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
    client.post("/uitloggen/")
    log_in_with_password(client, person)
    response = client.post("/inloggen/code/", {"code": codes[0]})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert RecoveryCode.objects.filter(used_at__isnull=True).count() == len(codes) - 1


def test_the_database_holds_no_plain_code_R_ME_2(client, person):
    """R-ME-2: recovery codes and SMS codes are stored only as hashes."""
    client.force_login(person)
    codes = turn_on_sms(client, person)
    client.post("/uitloggen/")
    log_in_with_password(client, person)
    sms_code = last_code()
    with connection.cursor() as cursor:
        dump = []
        for table in ("twofactor_recoverycode", "twofactor_smsdevice", "audit_auditentry"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            dump += [str(value) for row in cursor.fetchall() for value in row]
    text = " ".join(dump)
    for code in codes:
        assert code not in text and code.replace("-", "") not in text
    assert sms_code not in text


def test_sms_code_is_single_use_and_bound_to_the_attempt_R_ME_2(client, person):
    """R-ME-2: a code works once; a code sent for one login attempt does not work in another
    session; a new code replaces the previous one."""
    client.force_login(person)
    turn_on_sms(client, person)
    client.post("/uitloggen/")
    log_in_with_password(client, person)
    first = last_code()
    assert client.post("/inloggen/code/", {"code": first}).status_code == 302
    client.post("/uitloggen/")

    # Replay of a used code in a new attempt.
    log_in_with_password(client, person)
    assert client.post("/inloggen/code/", {"code": first}).status_code == 200
    assert "_auth_user_id" not in client.session

    # The code of this attempt, tried from another session that also knows the password
    # (its own attempt sent another code, so the first one is dead too).
    current = last_code()
    from django.test import Client

    other = Client()
    log_in_with_password(other, person)
    assert other.post("/inloggen/code/", {"code": current}).status_code == 200
    assert "_auth_user_id" not in other.session
    # And the code of the other session does not work here: it is bound to its nonce.
    assert client.post("/inloggen/code/", {"code": last_code()}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_expired_sms_code_is_refused_R_ME_2(client, person):
    """R-ME-2: a code is valid for 10 minutes."""
    client.force_login(person)
    turn_on_sms(client, person)
    client.post("/uitloggen/")
    log_in_with_password(client, person)
    device = SmsDevice.objects.get(user=person)
    assert device.challenge_expires - timezone.now() <= timedelta(minutes=10)
    SmsDevice.objects.filter(pk=device.pk).update(
        challenge_expires=timezone.now() - timedelta(seconds=1)
    )
    response = client.post("/inloggen/code/", {"code": last_code()})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_twenty_wrong_codes_are_throttled_R_ME_2(client, person, settings):
    """R-ME-2: wrong codes are throttled: after 20 wrong codes (each given the time the
    throttle asked for) even the right code is refused for a long while; a login attempt ends
    after 10 wrong codes and must start again with the password."""
    settings.OTP_THROTTLE_FACTOR = 1
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    settings.SMS_CODES_PER_HOUR = 100
    # This test is about django-otp's throttle per device; the request limits per address and
    # per user (test_rate_limits.py) would stop it first.
    settings.RATE_LIMIT_CODES_PER_ADDRESS = settings.RATE_LIMIT_CODES_PER_USER = "100/5m"
    client.force_login(person)
    turn_on_sms(client, person)
    client.post("/uitloggen/")
    device = SmsDevice.objects.get(user=person)
    restarts = 0
    log_in_with_password(client, person)
    for attempt in range(20):
        # Let the wait asked for by the previous failure pass, so each wrong code counts.
        SmsDevice.objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=timezone.now() - timedelta(days=30)
        )
        response = client.post("/inloggen/code/", {"code": "000000"})
        if response.status_code == 302:
            assert response["Location"] == "/inloggen/"
            restarts += 1
            log_in_with_password(client, person)
        else:
            assert "niet juist" in response.content.decode(), attempt
    assert restarts == 2
    device.refresh_from_db()
    assert device.throttling_failure_count == 20
    response = client.post("/inloggen/code/", {"code": last_code()})
    assert response.status_code == 200
    assert "Te veel onjuiste codes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sms_sending_is_limited_per_number_R_ME_2(client, person, settings):
    """R-ME-2: no more than SMS_CODES_PER_HOUR codes per number per hour."""
    settings.SMS_CODES_PER_HOUR = 3
    client.force_login(person)
    for _ in range(3):
        client.post("/mijn-gegevens/verificatie/sms/", {"number": NUMBER})
    response = client.post("/mijn-gegevens/verificatie/sms/", {"number": "+31 6 1234 5678"})
    assert response.status_code == 200
    assert "te veel codes" in response.content.decode().lower()
    assert len(sms_messages()) == 3


@pytest.mark.parametrize("raw", ["06-12345678", "0612345678", "+31 6 12345678", "+31612345678"])
def test_dutch_mobile_numbers_are_stored_as_e164_R_ME_2(raw):
    """R-ME-2: Dutch forms of a mobile number are accepted and stored as E.164."""
    assert services.parse_mobile(raw) == E164


@pytest.mark.parametrize("raw", ["12345", "020-1234567", "06-1234", "hallo"])
def test_invalid_numbers_get_a_clear_message_R_ME_2(client, person, raw):
    """R-ME-2: an invalid or non-mobile number is refused with a message by the field."""
    client.force_login(person)
    response = client.post("/mijn-gegevens/verificatie/sms/", {"number": raw})
    body = response.content.decode()
    assert response.status_code == 200
    assert "geen geldig mobiel nummer" in body
    assert 'aria-describedby="id_number_error' in body or "id_number_error" in body
    assert sms_messages() == []


def test_turning_off_and_changing_the_number_ask_for_the_password_R_ME_2(client, person):
    """R-ME-2: with 2FA on, a new number or turning it off needs the password again."""
    client.force_login(person)
    turn_on_sms(client, person)
    response = client.post("/mijn-gegevens/verificatie/sms/", {"number": "06-87654321"})
    assert response.status_code == 200 and "wachtwoord" in response.content.decode().lower()
    response = client.post(
        "/mijn-gegevens/verificatie/sms/", {"number": "06-87654321", "password": "fout"}
    )
    assert "Het wachtwoord is onjuist" in response.content.decode()
    response = client.post(
        "/mijn-gegevens/verificatie/sms/", {"number": "06-87654321", "password": PASSWORD}
    )
    assert response.status_code == 302
    # The old number keeps working until the new one is confirmed.
    assert SmsDevice.objects.get(user=person, confirmed=True).number == E164
    client.post("/mijn-gegevens/verificatie/sms/code/", {"code": last_code()})
    assert SmsDevice.objects.get(user=person, confirmed=True).number == "+31687654321"

    assert client.post("/mijn-gegevens/verificatie/uitzetten/", {}).status_code == 200
    assert services.is_enabled(person)
    response = client.post("/mijn-gegevens/verificatie/uitzetten/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not services.is_enabled(person)
    assert not RecoveryCode.objects.exists()
    assert AuditEntry.objects.filter(action="2fa.disabled", actor=person).exists()


def test_new_recovery_codes_replace_the_old_R_ME_2(client, person):
    """R-ME-2: a fresh set of recovery codes can be made; the old ones stop working."""
    client.force_login(person)
    old = turn_on_sms(client, person)
    response = client.post("/mijn-gegevens/verificatie/herstelcodes/", {"password": PASSWORD})
    new = RECOVERY.findall(response.content.decode())
    assert len(new) == services.RECOVERY_CODE_COUNT and set(new).isdisjoint(old)
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="2fa.recovery_codes_regenerated").exists()
    assert services.verify_login(user=person, code=old[1]).result is services.Result.WRONG
    assert services.verify_login(user=person, code=new[1]).result is services.Result.OK


def totp_token(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def test_authenticator_app_with_qr_code_and_no_replay_R_X_2(client, person):
    """R-X-2: set up an authenticator app from a QR code (an inline SVG, no external call);
    login takes its code; the same code cannot be used twice."""
    client.force_login(person)
    assert client.get("/mijn-gegevens/verificatie/app/").status_code == 200
    response = client.post("/mijn-gegevens/verificatie/app/", {})
    assert response["Location"] == "/mijn-gegevens/verificatie/app/code/"
    page = client.get("/mijn-gegevens/verificatie/app/code/")
    body = page.content.decode()
    inline_script = re.search(r"<script(?![^>]*\bsrc=)", body)  # only the site's own files
    assert "<svg" in body and inline_script is None
    assert "http" not in body.split("<svg")[1][:200]
    device = TOTPDevice.objects.get(user=person, confirmed=False)
    response = client.post("/mijn-gegevens/verificatie/app/code/", {"code": totp_token(device)})
    assert len(RECOVERY.findall(response.content.decode())) == services.RECOVERY_CODE_COUNT
    client.post("/uitloggen/")

    device.refresh_from_db()
    token = totp_token(device, offset=1)
    log_in_with_password(client, person)
    assert sms_messages() == []  # no SMS device, no SMS
    assert client.post("/inloggen/code/", {"code": token}).status_code == 302
    client.post("/uitloggen/")
    log_in_with_password(client, person)
    response = client.post("/inloggen/code/", {"code": token})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_link_does_not_skip_the_second_step_R_ME_2(client, person, run, mailoutbox):
    """R-ME-2: setting a new password from an e-mail link still asks for the code."""
    from portal.accounts import services as account_services

    from .mail import links, path_of

    client.force_login(person)
    turn_on_sms(client, person)
    client.post("/uitloggen/")
    run(account_services.send_password_link, user=person)
    link = [link for link in links(mailoutbox[-1].body) if "/wachtwoord/" in link][0]
    client.get(path_of(link))
    response = client.post(
        "/wachtwoord/nieuw/",
        {"new_password1": "Zonnebloem-42", "new_password2": "Zonnebloem-42"},
    )
    assert response["Location"] == "/inloggen/code/"
    assert "_auth_user_id" not in client.session
    assert client.post("/inloggen/code/", {"code": last_code()}).status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_pending_login_expires_R_ME_2(client, person):
    """R-ME-2: the code must follow the password within 10 minutes."""
    client.force_login(person)
    turn_on_sms(client, person)
    client.post("/uitloggen/")
    log_in_with_password(client, person)
    session = client.session
    session["_2fa_pending"]["since"] -= 11 * 60
    session.save()
    response = client.post("/inloggen/code/", {"code": last_code()})
    assert response.status_code == 302 and response["Location"] == "/inloggen/"
    assert "_auth_user_id" not in client.session


def test_login_without_two_step_is_unchanged_R_ACC_4(client, person):
    """R-ACC-4: without 2FA the password logs in directly; the lockout still works (the
    existing axes tests run the same login page)."""
    response = log_in_with_password(client, person)
    assert response.status_code == 302 and response["Location"] != "/inloggen/code/"
    assert client.session["_auth_user_id"] == str(person.pk)
    assert client.get("/inloggen/code/").status_code == 302


def test_staff_turn_off_two_step_in_the_admin_R_ME_2(client, person, admin_client):
    """R-ME-2: a client who lost both phone and recovery codes: the office turns it off."""
    client.force_login(person)
    turn_on_sms(client, person)
    response = admin_client.post(
        "/beheer/accounts/user/",
        {"action": "disable_two_step", "_selected_action": [person.pk]},
    )
    assert response.status_code == 302
    assert not services.is_enabled(person)


def staff_with_app(email: str, **fields):
    staff = StaffFactory(email=email, **fields)
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    return staff, device


@pytest.mark.parametrize("first", [True, False], ids=["first login", "later login"])
def test_staff_land_on_the_workspace_inbox_R_X_2(client, first):
    """R-X-2, issue 14 item 7: a staff member's login (first or later: password, then the
    code) lands on the workspace's inbox, as the README promises, not on "Mijn gegevens"."""
    staff, device = staff_with_app(
        "notaris@office.test", last_login=None if first else timezone.now()
    )
    response = log_in_with_password(client, staff)
    assert response["Location"] == "/inloggen/code/"
    response = client.post("/inloggen/code/", {"code": totp_token(device)})
    assert response.status_code == 302 and response["Location"] == "/kantoor/"
    assert client.get("/kantoor/").status_code == 200


def test_staff_follow_a_safe_next_and_never_an_unsafe_one_R_X_2(client):
    """R-X-2, issue 14 item 7: a staff member sent to the login from a workspace page goes back
    there; a ``next`` to another site is ignored (the inbox)."""
    staff, device = staff_with_app("notaris@office.test")
    client.post(
        "/inloggen/",
        {"username": staff.email, "password": PASSWORD, "next": "/kantoor/dossiers/"},
    )
    response = client.post("/inloggen/code/", {"code": totp_token(device)})
    assert response["Location"] == "/kantoor/dossiers/"
    other, other_device = staff_with_app("kandidaat@office.test")
    elsewhere = HttpClient()
    elsewhere.post(
        "/inloggen/",
        {"username": other.email, "password": PASSWORD, "next": "https://evil.test/"},
    )
    response = elsewhere.post("/inloggen/code/", {"code": totp_token(other_device)})
    assert response["Location"] == "/kantoor/"


def test_staff_without_a_second_factor_land_on_its_setup_R_X_2(client):
    """R-X-2, issue 14 item 7: a staff member without a second factor (first login) is sent
    from the inbox to set one up, the workspace's rule."""
    staff = StaffFactory(email="notaris@office.test", last_login=None)
    response = log_in_with_password(client, staff)
    assert response["Location"] == "/kantoor/"
    assert client.get("/kantoor/")["Location"] == "/kantoor/verificatie/"


@pytest.mark.parametrize(
    ("first", "landing"), [(True, "/mijn-gegevens/"), (False, "/")], ids=["first", "later"]
)
def test_clients_keep_their_landing_R_ACC_3(client, person, first, landing):
    """R-ACC-3, issue 14 item 7: a client's first login still opens "Mijn gegevens", a later
    one Home."""
    person.last_login = None if first else timezone.now()
    person.save()
    response = log_in_with_password(client, person)
    assert response["Location"] == landing
