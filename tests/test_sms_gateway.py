"""The SMS gateway (R-ME-2): the Twilio backend against a local HTTP server on loopback that
checks the exact request Twilio would receive; a provider that is down gives the user a clear
message, never a crash."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest

from portal.notifications.sms import SmsError, send_sms
from portal.twofactor.models import SmsDevice

from .loopback import free_port

SID = "AC0123456789abcdef0123456789abcdef"
TOKEN = "test-auth-token"


class FakeTwilio(BaseHTTPRequestHandler):
    requests: list[dict] = []
    status = 201

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode()
        FakeTwilio.requests.append(
            {
                "path": self.path,
                "auth": self.headers.get("Authorization", ""),
                "content_type": self.headers.get("Content-Type", ""),
                "form": parse_qs(body),
            }
        )
        self.send_response(FakeTwilio.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        answer = {"sid": "SM1", "status": "queued"} if self.status < 300 else {"code": 21211}
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args):  # keep the test output (and any code) out of stderr
        pass


@pytest.fixture
def twilio(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeTwilio.requests = []
    FakeTwilio.status = 201
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_API_URL = f"http://127.0.0.1:{server.server_port}"
    settings.TWILIO_ACCOUNT_SID = SID
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SMS_FROM = "Notaris"
    yield FakeTwilio
    server.shutdown()
    server.server_close()


def test_twilio_backend_sends_the_request_twilio_expects_R_ME_2(twilio):
    """R-ME-2: POST /2010-04-01/Accounts/<sid>/Messages.json, basic auth with the account SID
    and token, form fields To (E.164), From and Body."""
    send_sms("+31612345678", "Uw code is 123456")
    [request] = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request["auth"] == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert request["content_type"] == "application/x-www-form-urlencoded"
    assert request["form"] == {
        "To": ["+31612345678"],
        "From": ["Notaris"],
        "Body": ["Uw code is 123456"],
    }


def test_provider_refusal_is_an_sms_error_R_ME_2(twilio):
    """R-ME-2: a refusal by the provider raises SmsError (no crash further up)."""
    twilio.status = 400
    with pytest.raises(SmsError):
        send_sms("+31612345678", "x")


def test_setup_through_the_provider_R_ME_2(twilio, client, person):
    """R-ME-2: turning on SMS verification sends the code through the provider; the code in the
    SMS body confirms the number."""
    client.force_login(person)
    response = client.post("/mijn-gegevens/verificatie/sms/", {"number": "06-12345678"})
    assert response.status_code == 302
    body = twilio.requests[-1]["form"]["Body"][0]
    code = next(word for word in body.replace(".", " ").split() if word.isdigit())
    response = client.post("/mijn-gegevens/verificatie/sms/code/", {"code": code})
    assert response.status_code == 200
    assert SmsDevice.objects.get(user=person).confirmed


def test_provider_down_gives_a_clear_message_R_ME_2(settings, client, person, caplog):
    """R-ME-2: nobody listening at the provider's address: the page says the SMS could not be
    sent, nothing crashes, and no code reaches the log."""
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_API_URL = f"http://127.0.0.1:{free_port()}"
    settings.TWILIO_ACCOUNT_SID = SID
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SMS_TIMEOUT = 2
    client.force_login(person)
    response = client.post("/mijn-gegevens/verificatie/sms/", {"number": "06-12345678"})
    assert response.status_code == 200
    assert "kon nu niet worden verstuurd" in response.content.decode()
    assert not SmsDevice.objects.filter(user=person, confirmed=True).exists()
    assert "inlogcode" not in caplog.text.lower()


def test_dev_outbox_shows_text_messages_R_ME_2(client, person, settings, tmp_path):
    """R-ME-2: in the embedded mode the SMS codes are readable at /dev/outbox/ (DEBUG only)."""
    settings.SMS_BACKEND = "outbox"
    settings.SMS_DIR = tmp_path / "sms"
    settings.DEBUG = True
    send_sms("+31612345678", "Uw inlogcode voor het klantenportaal is 123456.")
    page = client.get("/dev/outbox/").content.decode()
    assert "+31612345678" in page and "123456" in page
    settings.DEBUG = False
    assert client.get("/dev/outbox/").status_code == 404
