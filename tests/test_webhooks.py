"""Webhooks (R-OFF-6): client events are POSTed as JSON signed with HMAC-SHA256 to a receiver
on loopback, retried with back-off when it fails, with a delivery log."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from portal.api.models import WebhookDelivery, WebhookEndpoint
from portal.api.tasks import backoff
from portal.api.webhooks import SIGNATURE_HEADER, verify
from portal.messaging import services as message_services
from portal.offices.models import Office


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
    assert verify(endpoint.secret, body, headers[SIGNATURE_HEADER])
    assert not verify("whsec_wrong", body, headers[SIGNATURE_HEADER])
    assert not verify(endpoint.secret, body + b" ", headers[SIGNATURE_HEADER])
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
    """R-OFF-6: the receiver answers 500 first, then 200: delivered, 2 attempts logged (Celery
    runs eagerly in tests, so the back-off's countdown is not waited for)."""
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
    delivery = WebhookDelivery.objects.get()
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

    from portal.api.tasks import deliver_lost_webhooks

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
    assert receiver.received[0][0]["X-Klantportaal-Delivery"] == str(lost.pk)
    lost.refresh_from_db()
    assert lost.attempts == 1 and lost.delivered_at is not None
    for untouched in (fresh, done, retrying):
        before = untouched.attempts
        untouched.refresh_from_db()
        assert untouched.attempts == before
