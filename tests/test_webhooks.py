"""Webhooks (R-OFF-6): client events are POSTed as JSON signed per the Standard Webhooks
specification to a receiver on loopback, retried with back-off when it fails, with a delivery
log. The tests verify as a receiver does, with the specification's ``standardwebhooks``
library."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from portal.audit.models import AuditEntry
from portal.integrations.models import WebhookDelivery, WebhookEndpoint, is_standard_webhook_secret
from portal.integrations.tasks import backoff
from portal.messaging import services as message_services
from portal.offices.models import Office

from .factories import StaffFactory
from .workspace_helpers import staff_http


def verifies(secret: str | bytes, body: bytes, headers: dict) -> bool:
    """What a receiver does: the library checks the signature and the 5-minute window."""
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


class Receiver:
    """An HTTP server on 127.0.0.1 answering with the given statuses in turn."""

    def __init__(self, statuses: list[int]):
        self.statuses = list(statuses)
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = (
                    receiver.statuses.pop(0)
                    if len(receiver.statuses) > 1
                    else (receiver.statuses[0])
                )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint_for(db):
    def make(url: str, **kwargs) -> WebhookEndpoint:
        return WebhookEndpoint.objects.create(office=Office.current(), url=url, **kwargs)

    return make


def test_client_message_is_delivered_signed_R_OFF_6(world, endpoint_for, run):
    """R-OFF-6: a client's message → one signed POST; the payload has ids, not the text."""
    with Receiver([200]) as receiver:
        endpoint = endpoint_for(receiver.url)
        run(
            message_services.send_message,
            dossier=world.person_dossier,
            sender=world.owner,
            subject="Geheim onderwerp",
            body="Vertrouwelijke inhoud",
        )
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert verifies(endpoint.secret, body, headers)
    payload = json.loads(body)
    assert payload["event"] == "message.sent"
    assert payload["data"]["dossier"] == world.person_dossier.pk
    assert b"Vertrouwelijke" not in body and b"Geheim" not in body
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_status == 200 and delivery.delivered_at


def test_office_messages_are_not_client_events_R_OFF_6(world, endpoint_for, run):
    endpoint_for("http://127.0.0.1:9/never")
    run(
        message_services.send_message,
        dossier=world.person_dossier,
        sender=world.staff,
        subject="Van kantoor",
        body="Tekst",
    )
    assert not WebhookDelivery.objects.exists()


def test_failed_delivery_is_retried_with_back_off_R_OFF_6(world, endpoint_for, run):
    """R-OFF-6, issue 16 item 8: the receiver answers 500 first, then 200: delivered, 2 attempts
    logged, both with the same webhook-id (Celery runs eagerly in tests, so the back-off's
    countdown is not waited for)."""
    with Receiver([500, 200]) as receiver:
        endpoint_for(receiver.url, events=["message.sent"])
        run(
            message_services.send_message,
            dossier=world.person_dossier,
            sender=world.owner,
            subject="Vraag",
            body="Tekst",
        )
    assert len(receiver.received) == 2
    # Both attempts carry the same webhook-id, so a receiver that took the first drops the second.
    ids = {headers["webhook-id"] for headers, _body in receiver.received}
    assert len(ids) == 1 and ids.pop().startswith("msg_")
    delivery = WebhookDelivery.objects.get()
    assert delivery.webhook_id == receiver.received[0][0]["webhook-id"]
    assert delivery.attempts == 2
    assert delivery.last_status == 200
    assert delivery.last_error == ""
    assert delivery.delivered_at is not None
    assert [backoff(n) for n in range(3)] == [30, 60, 120]


def test_gives_up_after_the_last_retry_R_OFF_6(world, endpoint_for, run, settings):
    settings.WEBHOOK_MAX_RETRIES = 2
    with Receiver([503]) as receiver:
        endpoint_for(receiver.url)
        run(
            message_services.send_message,
            dossier=world.person_dossier,
            sender=world.owner,
            subject="Vraag",
            body="Tekst",
        )
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 3
    assert delivery.delivered_at is None
    assert delivery.last_error == "HTTP 503"


def test_supplied_file_and_invitation_events_R_OFF_6(world, endpoint_for, run):
    """R-OFF-6: a client's upload and an accepted invitation are events too."""
    from django.core.files.base import ContentFile

    from portal.accounts import services as account_services
    from portal.accounts.models import AccountToken
    from portal.documents import services as document_services

    with Receiver([200]) as receiver:
        endpoint_for(receiver.url)
        run(
            document_services.supply_document,
            dossier=world.person_dossier,
            file=ContentFile(b"kopie\n"),
            name="paspoort.txt",
            by=world.owner,
        )
        raw = AccountToken.issue(world.other, AccountToken.Purpose.INVITATION)
        token = AccountToken.lookup(raw, AccountToken.Purpose.INVITATION)
        run(account_services.accept_invitation, token=token)
    events = [json.loads(body)["event"] for _headers, body in receiver.received]
    assert events == ["document.supplied", "invitation.accepted"]


def test_only_http_urls_are_accepted_R_OFF_6(db):
    from django.core.exceptions import ValidationError

    endpoint = WebhookEndpoint(office=Office.current(), url="ftp://127.0.0.1/x")
    with pytest.raises(ValidationError):
        endpoint.full_clean()


def test_a_delivery_whose_task_never_ran_is_sent_by_the_sweep_R_OFF_6(
    world, endpoint_for, settings
):
    """R-OFF-6, issue 8 (nothing lost): the broker was down when the event was saved, so no
    attempt was made; the beat sweep queues it once it is WEBHOOK_SWEEP_MINUTES old, and the
    receiver gets it. A fresh one, a delivered one and one already being retried are left."""
    from datetime import timedelta

    from django.utils import timezone

    from portal.integrations.tasks import deliver_lost_webhooks

    settings.WEBHOOK_SWEEP_MINUTES = 5
    with Receiver([200]) as receiver:
        endpoint = endpoint_for(receiver.url)

        def delivery(minutes_ago: int, **fields) -> WebhookDelivery:
            made = WebhookDelivery.objects.create(
                endpoint=endpoint, event="message.sent", payload={"event": "message.sent"}, **fields
            )
            WebhookDelivery.objects.filter(pk=made.pk).update(
                created_at=timezone.now() - timedelta(minutes=minutes_ago)
            )
            return made

        lost = delivery(10)
        fresh = delivery(1)
        done = delivery(10, attempts=1, delivered_at=timezone.now())
        retrying = delivery(10, attempts=2, last_status=500)
        assert deliver_lost_webhooks() == 1
    assert len(receiver.received) == 1
    assert receiver.received[0][0]["webhook-id"] == lost.webhook_id
    lost.refresh_from_db()
    assert lost.attempts == 1 and lost.delivered_at is not None
    for untouched in (fresh, done, retrying):
        before = untouched.attempts
        untouched.refresh_from_db()
        assert untouched.attempts == before


def deliver_one(receiver: Receiver, run, world) -> tuple[dict, bytes]:
    run(
        message_services.send_message,
        dossier=world.person_dossier,
        sender=world.owner,
        subject="Vraag",
        body="Tekst",
    )
    return receiver.received[-1]


def test_delivery_verifies_with_the_standard_webhooks_library_R_OFF_6(world, endpoint_for, run):
    """R-OFF-6, issue 16 item 8: a real delivery carries webhook-id, webhook-timestamp and
    webhook-signature (v1, base64); the library verifies it with the endpoint's whsec_ secret
    and returns the payload; another secret does not verify."""
    with Receiver([200]) as receiver:
        endpoint = endpoint_for(receiver.url)
        headers, body = deliver_one(receiver, run, world)
    assert is_standard_webhook_secret(endpoint.secret)
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
    assert re.fullmatch(r"v1,[A-Za-z0-9+/]+={0,2}", headers["webhook-signature"])
    assert Webhook(endpoint.secret).verify(body, headers)["event"] == "message.sent"
    assert headers["webhook-id"] == f"msg_{json.loads(body)['id']}"
    other = WebhookEndpoint(office=Office.current(), url=receiver.url)
    assert not verifies(other.secret, body, headers)


def test_tampered_id_timestamp_or_body_fail_R_OFF_6(world, endpoint_for, run):
    """R-OFF-6, issue 16 item 8: the id and the timestamp are signed with the body: changing any
    of the three breaks the signature; a correctly signed but stale timestamp (over 5 minutes)
    is refused too."""
    with Receiver([200]) as receiver:
        endpoint = endpoint_for(receiver.url)
        headers, body = deliver_one(receiver, run, world)
    assert verifies(endpoint.secret, body, headers)
    assert not verifies(endpoint.secret, body + b" ", headers)
    assert not verifies(endpoint.secret, body.replace(b"message.sent", b"message.xent"), headers)
    assert not verifies(endpoint.secret, body, {**headers, "webhook-id": "msg_other"})
    earlier = str(int(headers["webhook-timestamp"]) - 1)
    assert not verifies(endpoint.secret, body, {**headers, "webhook-timestamp": earlier})
    # Re-signed honestly but 6 minutes old: the window check refuses a replay.
    from portal.integrations.signing import signed_headers

    stale = signed_headers(
        [endpoint.secret], headers["webhook-id"], body, timestamp=int(time.time()) - 360
    )
    assert not verifies(endpoint.secret, body, stale)
    fresh = signed_headers([endpoint.secret], headers["webhook-id"], body)
    assert verifies(endpoint.secret, body, fresh)


def test_both_secrets_sign_during_rotation_then_only_the_new_R_OFF_6(
    world, endpoint_for, run, settings
):
    """R-OFF-6, issue 16 item 8: after a rotation a delivery carries two signatures, so a
    receiver still on the old secret and one already on the new both verify; once
    WEBHOOK_SECRET_ROTATION_HOURS are over only the new secret signs and the old is forgotten."""
    settings.WEBHOOK_SECRET_ROTATION_HOURS = 24
    with Receiver([200]) as receiver:
        endpoint = endpoint_for(receiver.url)
        old = endpoint.secret
        new = endpoint.rotate_secret()
        assert new != old and is_standard_webhook_secret(new)
        headers, body = deliver_one(receiver, run, world)
        assert len(headers["webhook-signature"].split(" ")) == 2
        assert verifies(old, body, headers)
        assert verifies(new, body, headers)

        endpoint.refresh_from_db()
        assert endpoint.previous_secret == old
        assert endpoint.previous_secret_expires_at > timezone.now() + timedelta(hours=23)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
        )
        headers, body = deliver_one(receiver, run, world)
    assert len(headers["webhook-signature"].split(" ")) == 1
    assert verifies(new, body, headers)
    assert not verifies(old, body, headers)
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == "" and endpoint.previous_secret_expires_at is None


def test_rotation_without_grace_period_R_OFF_6(db, endpoint_for, settings):
    """R-OFF-6, issue 16 item 8: WEBHOOK_SECRET_ROTATION_HOURS=0 replaces the secret at once."""
    settings.WEBHOOK_SECRET_ROTATION_HOURS = 0
    endpoint = endpoint_for("https://crm.example.test/hook")
    new = endpoint.rotate_secret()
    assert endpoint.signing_secrets() == [new]
    assert endpoint.previous_secret == ""


def test_admin_rotates_the_secret_and_shows_it_once_R_OFF_6(db, endpoint_for, settings):
    """R-OFF-6, issue 16 item 8: the admin's "rotate the signing secret" action shows the new
    secret once, keeps the old one signing for the grace period and audits the rotation without
    the secret."""
    settings.WEBHOOK_SECRET_ROTATION_HOURS = 24
    endpoint = endpoint_for("https://crm.example.test/hook")
    old = endpoint.secret
    http = staff_http(StaffFactory(email="beheer@office.test", staff_role="administrator"))
    response = http.post(
        "/beheer/api/webhookendpoint/",
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
        follow=True,
    )
    assert response.status_code == 200
    shown = re.findall(r"<code>(whsec_[A-Za-z0-9+/=]+)</code>", response.content.decode())
    endpoint.refresh_from_db()
    assert shown == [endpoint.secret] and endpoint.secret != old
    assert endpoint.signing_secrets() == [endpoint.secret, old]
    page = http.get(f"/beheer/api/webhookendpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.secret not in page and old not in page
    entry = AuditEntry.objects.get(action="api.webhook_secret_rotated")
    assert entry.target == endpoint.url
    assert endpoint.secret not in str(entry.data) and old not in str(entry.data)


def test_secrets_made_before_standard_webhooks_keep_their_key_R_OFF_6(db, endpoint_for):
    """R-OFF-6, issue 16 item 8: the migration re-encodes an old ``whsec_<url-safe text>``
    secret to the standard form without changing the HMAC key (the old text's bytes), so a
    receiver that kept the old text verifies with ``Webhook(old.encode())``; reversible."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "portal.integrations.migrations.0002_webhook_secret_rotation"
    )
    legacy = "whsec_Ab-_" + "x" * 39  # the old form: token_urlsafe, 43 characters
    endpoint = endpoint_for("https://crm.example.test/hook")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=legacy)
    other = endpoint_for("https://other.example.test/hook")  # already standard: left alone
    before = other.secret

    migration.to_standard_form(apps, None)
    endpoint.refresh_from_db()
    other.refresh_from_db()
    assert is_standard_webhook_secret(endpoint.secret) and endpoint.secret != legacy
    assert other.secret == before
    body = b'{"event":"message.sent"}'
    from portal.integrations.signing import signed_headers

    headers = signed_headers([endpoint.secret], "msg_1", body)
    assert verifies(legacy.encode(), body, headers)

    migration.to_legacy_form(apps, None)
    endpoint.refresh_from_db()
    other.refresh_from_db()
    assert endpoint.secret == legacy and other.secret == before
