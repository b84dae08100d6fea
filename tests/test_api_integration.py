"""The issue's "done when" for the API (R-OFF-6), end to end: an integration that uses only the
API creates a client and a dossier, grants access, publishes a document, and receives a signed
webhook when the client answers; it then finds the answer and marks it handled."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from standardwebhooks import Webhook

from portal.accounts.models import User
from portal.dossiers.models import Dossier
from portal.integrations.models import WebhookEndpoint
from portal.messaging import services as message_services
from portal.offices.models import Office

from .api_helpers import Api, make_token
from .factories import StaffFactory, StatusFactory
from .pdfs import PDF
from .test_webhooks import Receiver

V1 = "/api/v1"


def test_an_integration_runs_a_dossier_through_the_api_and_hears_the_client_R_OFF_6(db, run):
    """R-OFF-6 with R-OFF-1/3/4: client → dossier → access → document, through the API only;
    the client's answer arrives as a signed webhook naming the message, and the API lists it
    as open until it is marked handled."""
    staff = StaffFactory(email="koppeling@office.test")
    _token, raw = make_token(staff)
    api = Api(raw)
    status = StatusFactory(name="In behandeling")

    with Receiver([200]) as receiver:
        endpoint = WebhookEndpoint.objects.create(office=Office.current(), url=receiver.url)

        created = run(
            api.post,
            f"{V1}/clients/",
            {"kind": "person", "name": "Jan de Vries", "email": "jan@example.test"},
            headers={"Idempotency-Key": "client-jan"},
        )
        assert created.status_code == 201, created.content
        client_id = created.json()["id"]
        dossier = api.post(
            f"{V1}/dossiers/",
            {"number": "2026.0900", "description": "Levering woning", "status": status.pk},
        )
        assert dossier.status_code == 201, dossier.content
        dossier_id = dossier.json()["id"]
        assert (
            api.post(f"{V1}/dossiers/{dossier_id}/grants/", {"client": client_id}).status_code
            == 201
        )
        published = api.post(
            f"{V1}/documents/",
            {
                "dossier": dossier_id,
                "kind": "document",
                "title": "Concept akte",
                "file": SimpleUploadedFile("akte.pdf", PDF),
            },
            multipart=True,
        )
        assert published.status_code == 201, published.content

        # The client (invited by the API's create) answers in the portal.
        jan = User.objects.get(email="jan@example.test")
        dossier_obj = Dossier.objects.visible_to(jan).get(pk=dossier_id)
        assert dossier_obj.documents.get().title == "Concept akte"
        message = run(
            message_services.send_message,
            dossier=dossier_obj,
            sender=jan,
            subject="Vraag over de akte",
            body="Klopt de datum?",
        )

    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert Webhook(endpoint.secret).verify(body, headers)  # raises when it does not verify
    payload = json.loads(body)
    assert payload["event"] == "message.sent"
    assert payload["data"]["dossier"] == dossier_id
    assert b"Klopt de datum" not in body

    waiting = api.get(f"{V1}/messages/", {"open": "true"}).json()["results"]
    assert [row["id"] for row in waiting] == [message.pk]
    assert api.post(f"{V1}/messages/{message.pk}/handled/").status_code == 200
    assert api.get(f"{V1}/messages/", {"open": "true"}).json()["results"] == []
