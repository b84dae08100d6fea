"""Signing requests (R-SIG-5): staff name the signers of a published PDF; each signer reads it
and signs with a FRESH second factor; the last signature makes the signed PDF (original pages +
evidence page, sealed) under "Door mij aangeleverd". Decline, withdraw, access, replayed and
stale codes, webhooks."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from portal.audit.context import audit_context
from portal.documents.models import Document
from portal.dossiers import services as dossier_services
from portal.integrations.models import WebhookDelivery, WebhookEndpoint
from portal.questionnaires import signing
from portal.questionnaires.models import Action, Signer, SigningRequest
from portal.twofactor import confirm

from .factories import DossierFactory, UserFactory, grant
from .signing_helpers import (
    ask,
    last_code,
    logged_in,
    page_url,
    publish_pdf,
    scene,
    sign_by_sms,
    sms_texts,
    with_sms,
)
from .webauthn_helpers import SoftPasskey
from .workspace_helpers import staff_http

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_outbox(settings, tmp_path):
    settings.OTP_THROTTLE_FACTOR = 0
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.SMS_DIR = tmp_path / "sms"
    settings.SMS_BACKEND = "outbox"
    settings.SMS_CODES_PER_HOUR = 100


def _read_pdf(document: Document) -> PdfReader:
    with document.file.open("rb") as stream:
        return PdfReader(io.BytesIO(stream.read()))


@pytest.mark.parametrize("order", ["anna first", "bram first"])
def test_two_signers_in_either_order_make_one_signed_pdf_R_SIG_5(
    order, django_capture_on_commit_callbacks
):
    """R-SIG-5: both buyers sign (either order) through the page with an SMS code sent now;
    the signed PDF is made once: the original two pages and an evidence page naming both,
    with their accounts, method, address and the document's SHA-256; stored as supplied."""
    s = scene()
    request = ask(s)
    first, second = (s.anna, s.bram) if order == "anna first" else (s.bram, s.anna)

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_by_sms(logged_in(first), page_url(request, first))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == SigningRequest.Status.OPEN
    assert request.signed_document is None

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_by_sms(logged_in(second), page_url(request, second))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == SigningRequest.Status.COMPLETED
    signed = request.signed_document
    assert signed is not None and signed.kind == Document.Kind.SUPPLIED
    assert Document.objects.filter(kind=Document.Kind.SUPPLIED, dossier=s.dossier).count() == 1

    reader = _read_pdf(signed)
    assert len(reader.pages) == 3
    assert "Volmacht pagina 1" in reader.pages[0].extract_text()
    assert "Volmacht pagina 2" in reader.pages[1].extract_text()
    evidence = reader.pages[2].extract_text()
    for signer in Signer.objects.filter(request=request):
        assert signer.status == Signer.Status.SIGNED
        assert signer.method == Signer.Method.SMS
        assert signer.document_sha256 == s.document.sha256
        assert signer.ip == "127.0.0.1"
    for text in ("Anna de Vries", "anna@example.test", "Bram Jansen", "bram@example.test"):
        assert text in evidence
    assert s.document.sha256[:16] in evidence.replace("\n", "")
    assert f"{request.pk}" in evidence and "127.0.0.1" in evidence

    # Idempotent: running the task again makes no second PDF.
    from portal.questionnaires.signing_pdf import store_signed_pdf

    assert store_signed_pdf(request.pk) == signed.pk
    assert Document.objects.filter(kind=Document.Kind.SUPPLIED, dossier=s.dossier).count() == 1
    # Both actions are completed; the signer sees the signed document on the page.
    assert set(Action.objects.filter(signer__request=request).values_list("status", flat=True)) == {
        Action.Status.COMPLETED
    }
    body = logged_in(s.anna).get(page_url(request, s.anna)).content.decode()
    assert f"/documenten/{signed.pk}/download/" in body


def test_the_sms_text_says_it_signs_and_the_code_works_once_R_SIG_5():
    """R-SIG-5: the code sent to sign says so (never mistaken for a login code); a code that
    signed cannot sign again."""
    s = scene()
    request = ask(s)
    http = logged_in(s.anna)
    url = page_url(request, s.anna)
    http.post(url, {"op": "sms"})
    assert "SIGN" in sms_texts()[-1] or "ONDERTEKENEN" in sms_texts()[-1]
    code = last_code()
    assert http.post(url, {"op": "sign", "read": "1", "code": code}).status_code == 302
    signer = Signer.objects.get(request=request, account=s.anna)
    assert signer.status == Signer.Status.SIGNED


def test_without_ticking_read_nothing_is_signed_R_SIG_5():
    s = scene()
    request = ask(s)
    http = logged_in(s.anna)
    url = page_url(request, s.anna)
    http.post(url, {"op": "sms"})
    response = http.post(url, {"op": "sign", "code": last_code()})
    assert response.status_code == 400
    assert Signer.objects.get(request=request, account=s.anna).status == Signer.Status.PENDING


def test_a_wrong_code_is_refused_R_SIG_5():
    s = scene()
    request = ask(s)
    http = logged_in(s.anna)
    url = page_url(request, s.anna)
    http.post(url, {"op": "sms"})
    wrong = f"{(int(last_code()) + 1) % 10**6:06d}"
    response = http.post(url, {"op": "sign", "read": "1", "code": wrong})
    assert response.status_code == 400
    assert "not correct" in response.content.decode() or "niet juist" in response.content.decode()
    assert Signer.objects.get(request=request, account=s.anna).status == Signer.Status.PENDING


def test_a_stale_sms_code_is_refused_R_SIG_5():
    """R-SIG-5: an SMS code older than a few minutes does not sign (although the login's SMS
    validity would still accept it)."""
    s = scene()
    request = ask(s)
    http = logged_in(s.anna)
    url = page_url(request, s.anna)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        http.post(url, {"op": "sms"})
        code = last_code()
        clock.shift(timedelta(seconds=confirm.FRESH_SECONDS + 30))
        response = http.post(url, {"op": "sign", "read": "1", "code": code})
    assert response.status_code == 400
    assert Signer.objects.get(request=request, account=s.anna).status == Signer.Status.PENDING


def test_a_login_sms_code_does_not_sign_R_SIG_5():
    """R-SIG-5: not the login's verification: without a code sent for signing, an SMS code
    (such as the login's) is refused."""
    from portal.twofactor import services as twofactor

    s = scene()
    request = ask(s)
    device = s.anna.smsdevice_set.get()
    twofactor.send_code(device)  # the login's code, its nonce kept by the login only
    response = logged_in(s.anna).post(
        page_url(request, s.anna), {"op": "sign", "read": "1", "code": last_code()}
    )
    assert response.status_code == 400
    assert Signer.objects.get(request=request, account=s.anna).status == Signer.Status.PENDING


def test_a_replayed_app_code_is_refused_and_a_fresh_one_signs_R_SIG_5():
    """R-SIG-5: the authenticator code already used (at login) cannot sign; the next one does,
    and the signature records the method "totp"."""
    s = scene()
    s.anna.smsdevice_set.all().delete()
    device = TOTPDevice.objects.create(user=s.anna, name="app", confirmed=True)
    request = ask(s)
    url = page_url(request, s.anna)
    http = logged_in(s.anna)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        code = f"{totp.token():06d}"
        assert device.verify_token(code)  # used at login
        response = http.post(url, {"op": "sign", "read": "1", "code": code})
        assert response.status_code == 400
        assert Signer.objects.get(request=request, account=s.anna).status == Signer.Status.PENDING
        clock.shift(timedelta(seconds=device.step))
        totp.time = time.time()
        response = http.post(url, {"op": "sign", "read": "1", "code": f"{totp.token():06d}"})
    assert response.status_code == 302
    signer = Signer.objects.get(request=request, account=s.anna)
    assert signer.status == Signer.Status.SIGNED and signer.method == Signer.Method.TOTP


def test_an_account_without_a_second_factor_is_told_to_set_one_up_R_SIG_5():
    s = scene()
    s.anna.smsdevice_set.all().delete()
    request = ask(s)
    response = logged_in(s.anna).get(page_url(request, s.anna))
    body = response.content.decode()
    assert response.status_code == 200
    assert "/mijn-gegevens/#twofactor-heading" in body
    assert 'name="code"' not in body


def test_decline_with_a_reason_R_SIG_5(django_capture_on_commit_callbacks):
    """R-SIG-5: a reason is required; declining closes the request, the other signer's action
    goes, the office's webhook ``signing.declined`` carries ids only."""
    s = scene()
    WebhookEndpoint.objects.create(url="https://hooks.example.test/in", events=[])
    request = ask(s)
    http = logged_in(s.bram)
    url = page_url(request, s.bram)
    response = http.post(url, {"op": "decline", "reason": "  "})
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == SigningRequest.Status.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(url, {"op": "decline", "reason": "Het adres klopt niet."})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == SigningRequest.Status.DECLINED
    bram = Signer.objects.get(request=request, account=s.bram)
    assert bram.status == Signer.Status.DECLINED and bram.decline_reason == "Het adres klopt niet."
    anna_action = Signer.objects.get(request=request, account=s.anna).action
    assert anna_action.status == Action.Status.CANCELLED
    delivery = WebhookDelivery.objects.get(event="signing.declined")
    assert delivery.payload["data"] == {
        "type": "signing_request",
        "signing_request": request.pk,
        "dossier": s.dossier.pk,
        "document": s.document.pk,
        "account": s.bram.pk,
    }
    # Anna can no longer sign.
    with pytest.raises(signing.NotOpen):
        signing.sign(signer=Signer.objects.get(request=request, account=s.anna), by=s.anna,
                     method="sms")  # fmt: skip


def test_completed_webhook_payload_R_SIG_5(django_capture_on_commit_callbacks):
    s = scene()
    WebhookEndpoint.objects.create(url="https://hooks.example.test/in", events=[])
    request = ask(s)
    for user in (s.anna, s.bram):
        with (
            audit_context(actor=user, address="192.0.2.7"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            signing.sign(signer=request.signers.get(account=user), by=user, method="sms")
    request.refresh_from_db()
    delivery = WebhookDelivery.objects.get(event="signing.completed")
    assert delivery.payload["data"] == {
        "type": "signing_request",
        "signing_request": request.pk,
        "dossier": s.dossier.pk,
        "document": s.document.pk,
        "signed_document": request.signed_document_id,
    }
    assert request.signers.get(account=s.anna).ip == "192.0.2.7"


def test_staff_withdraw_an_open_request_R_SIG_5():
    s = scene()
    request = ask(s)
    http = staff_http(s.staff)
    response = http.post(f"/kantoor/ondertekenverzoeken/{request.pk}/intrekken/")
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == SigningRequest.Status.WITHDRAWN
    # The signers no longer see it.
    assert logged_in(s.anna).get(page_url(request, s.anna)).status_code == 404
    assert not signing.withdraw(request=request, by=s.staff)


def test_a_signer_without_access_any_more_is_refused_R_SIG_5():
    """R-SIG-5: access revoked after the request: the page is gone (404) and the service
    refuses the signature."""
    s = scene()
    request = ask(s)
    dossier_services.revoke_access(dossier=s.dossier, client=s.anna.client)
    assert logged_in(s.anna).get(page_url(request, s.anna)).status_code == 404
    with pytest.raises(signing.NoAccess):
        signing.sign(signer=request.signers.get(account=s.anna), by=s.anna, method="sms")
    assert request.signers.get(account=s.anna).status == Signer.Status.PENDING


def test_another_clients_request_is_404_and_another_signer_cannot_sign_R_SIG_5():
    s = scene()
    request = ask(s)
    outsider = UserFactory()
    with_sms(outsider)
    assert logged_in(outsider).get(page_url(request, s.anna)).status_code == 404
    assert logged_in(outsider).post(page_url(request, s.anna), {"op": "sms"}).status_code == 404
    # Bram cannot open Anna's action (another client) either.
    assert logged_in(s.bram).get(page_url(request, s.anna)).status_code == 404
    with pytest.raises(signing.NoAccess):
        signing.sign(signer=request.signers.get(account=s.anna), by=s.bram, method="sms")


def test_only_accounts_with_access_and_only_published_pdfs_can_be_asked_R_SIG_5():
    from django.core.exceptions import ValidationError

    s = scene()
    stranger = UserFactory()
    with pytest.raises(ValidationError):
        signing.request_signatures(document=s.document, accounts=[stranger], by=s.staff)
    with pytest.raises(ValidationError):
        signing.request_signatures(document=s.document, accounts=[], by=s.staff)
    other = DossierFactory()
    grant(other, s.anna.client)
    from django.core.files.base import ContentFile

    from portal.documents import services as document_services

    text = document_services.publish_document(
        dossier=other, kind=Document.Kind.DOCUMENT, title="Tekst",
        file=ContentFile(b"hallo\n"), name="tekst.txt",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        signing.request_signatures(document=text, accounts=[s.anna], by=s.staff)


def test_workspace_creates_a_request_and_shows_status_per_signer_R_SIG_5():
    s = scene()
    http = staff_http(s.staff)
    response = http.post(
        f"/kantoor/dossiers/{s.dossier.pk}/ondertekenverzoek/",
        {
            "signing-document": s.document.pk,
            "signing-signers": [s.anna.pk, s.bram.pk],
            "signing-explanation": "Graag beiden tekenen.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request = SigningRequest.objects.get()
    assert request.explanation == "Graag beiden tekenen."
    assert set(request.signers.values_list("account", flat=True)) == {s.anna.pk, s.bram.pk}
    page = http.get(f"/kantoor/dossiers/{s.dossier.pk}/").content.decode()
    assert f"/kantoor/ondertekenverzoeken/{request.pk}/" in page
    detail = http.get(f"/kantoor/ondertekenverzoeken/{request.pk}/").content.decode()
    assert "Anna de Vries" in detail and "Bram Jansen" in detail
    # No signer chosen: the form comes back with what was typed.
    response = http.post(
        f"/kantoor/dossiers/{s.dossier.pk}/ondertekenverzoek/",
        {"signing-document": s.document.pk, "signing-explanation": "Uitleg blijft staan"},
    )
    assert response.status_code == 400
    assert "Uitleg blijft staan" in response.content.decode()


def test_the_signing_page_runs_a_fixed_number_of_queries_R_SIG_5():
    """R-SIG-5, principle 6: the page's queries do not grow with the number of signers."""
    s = scene()
    request = ask(s)
    http = logged_in(s.anna)
    url = page_url(request, s.anna)
    http.get(url)
    with CaptureQueriesContext(connection) as few:
        assert http.get(url).status_code == 200
    many = DossierFactory()
    grant(many, s.anna.client)
    more = [UserFactory() for _ in range(4)]
    for user in more:
        grant(s.dossier, user.client)
    bigger = signing.request_signatures(
        document=publish_pdf(s.dossier, title="Akte"), accounts=[s.anna, *more], by=s.staff
    )
    url = page_url(bigger, s.anna)
    http.get(url)
    with CaptureQueriesContext(connection) as lots:
        assert http.get(url).status_code == 200
    assert len(lots) == len(few)


def test_the_signing_request_page_of_staff_runs_a_fixed_number_of_queries_R_SIG_5():
    s = scene()
    http = staff_http(s.staff)
    small = ask(s)
    http.get(f"/kantoor/ondertekenverzoeken/{small.pk}/")
    with CaptureQueriesContext(connection) as few:
        http.get(f"/kantoor/ondertekenverzoeken/{small.pk}/")
    more = [UserFactory() for _ in range(4)]
    for user in more:
        grant(s.dossier, user.client)
    big = signing.request_signatures(
        document=s.document, accounts=[s.anna, s.bram, *more], by=s.staff
    )
    with CaptureQueriesContext(connection) as lots:
        http.get(f"/kantoor/ondertekenverzoeken/{big.pk}/")
    assert len(lots) == len(few)
    with CaptureQueriesContext(connection) as dossier_few:
        http.get(f"/kantoor/dossiers/{s.dossier.pk}/")
    ask(s)
    with CaptureQueriesContext(connection) as dossier_more:
        http.get(f"/kantoor/dossiers/{s.dossier.pk}/")
    assert len(dossier_more) == len(dossier_few)


def test_a_document_asked_to_be_signed_cannot_be_withdrawn_R_SIG_5():
    """R-SIG-5: the signatures refer to the document: withdrawing it is refused, not a 500."""
    from portal.documents import services as document_services

    s = scene()
    ask(s)
    with pytest.raises(document_services.NotWithdrawable):
        document_services.withdraw_document(document=s.document, by=s.staff)
    assert Document.objects.filter(pk=s.document.pk).exists()


def test_sign_with_a_passkey_over_a_fresh_challenge_R_SIG_5(settings):
    """R-SIG-5: the signing page makes a challenge of its own (user verification required);
    the passkey's answer to it signs once; a replay of that answer, an answer to the login's
    challenge, or one without user verification does not."""
    from .test_passkeys import BASE, HOST, add_passkey, page_options

    settings.PORTAL_BASE_URL = BASE
    s = scene()
    s.anna.smsdevice_set.all().delete()
    http = HttpClient(HTTP_HOST=HOST)
    http.force_login(s.anna)
    key = SoftPasskey(origin=BASE)
    assert add_passkey(http, key).status_code == 200
    request = ask(s)
    url = page_url(request, s.anna)

    # Without user verification: refused.
    options = page_options(http.get(url))
    assert options["userVerification"] == "required"
    response = http.post(
        url, {"op": "sign", "read": "1", "answer": key.assert_(options, verified=False)}
    )
    assert response.status_code == 400
    # A fresh challenge, answered: signed by passkey.
    answer = key.assert_(page_options(http.get(url)))
    response = http.post(url, {"op": "sign", "read": "1", "answer": answer})
    assert response.status_code == 302, response.content.decode()[:2000]
    signer = Signer.objects.get(request=request, account=s.anna)
    assert signer.status == Signer.Status.SIGNED and signer.method == Signer.Method.PASSKEY

    # The same answer again (on a second request) is refused: its challenge is used up.
    second = signing.request_signatures(document=s.document, accounts=[s.anna], by=s.staff)
    http.get(page_url(second, s.anna))
    response = http.post(page_url(second, s.anna), {"op": "sign", "read": "1", "answer": answer})
    assert response.status_code == 400
    assert second.signers.get().status == Signer.Status.PENDING


def test_a_stale_passkey_challenge_is_refused_R_SIG_5(settings):
    from .test_passkeys import BASE, HOST, add_passkey, page_options

    settings.PORTAL_BASE_URL = BASE
    s = scene()
    s.anna.smsdevice_set.all().delete()
    http = HttpClient(HTTP_HOST=HOST)
    http.force_login(s.anna)
    key = SoftPasskey(origin=BASE)
    assert add_passkey(http, key).status_code == 200
    request = ask(s)
    url = page_url(request, s.anna)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        options = page_options(http.get(url))
        clock.shift(timedelta(seconds=confirm.FRESH_SECONDS + 30))
        response = http.post(url, {"op": "sign", "read": "1", "answer": key.assert_(options)})
    assert response.status_code == 400
    assert Signer.objects.get(request=request, account=s.anna).status == Signer.Status.PENDING
