"""A real RFC 3161 timestamp authority on loopback for the tests (issue 19): an HTTP server on
127.0.0.1 in a thread that answers ``application/timestamp-query`` POSTs with tokens signed by
pyHanko's ``DummyTimeStamper`` and a test TSA certificate made here with ``cryptography``.

The portal reaches it the way it reaches a real one, over HTTP at ``SEAL_TSA_URL``. Use the
``tsa`` fixture (import ``tsa_fixture`` from this module into the test module)::

    from tests.tsa import tsa_fixture  # noqa: F401 - the "tsa" fixture

    def test_x(tsa):  # settings.SEAL_TSA_URL points at it while the test runs
        ...
        assert tsa.requests == 1
        ValidationContext(trust_roots=[..., tsa.certificate])
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper


@cache
def tsa_key_and_certificate() -> tuple[keys.PrivateKeyInfo, asn1_x509.Certificate]:
    """A self-signed RSA certificate for time stamping (critical extended key usage
    timeStamping, as RFC 3161 requires), made once per test run."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Klantportaal test TSA")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_info = keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return key_info, asn1_x509.Certificate.load(
        certificate.public_bytes(serialization.Encoding.DER)
    )


@dataclass
class TimestampAuthority:
    url: str
    certificate: asn1_x509.Certificate
    server: ThreadingHTTPServer
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_tsa() -> TimestampAuthority:
    key, certificate = tsa_key_and_certificate()
    stamper = DummyTimeStamper(tsa_cert=certificate, tsa_key=key)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                request = tsp.TimeStampReq.load(body)
                answer = stamper.request_tsa_response(request).dump()
            except Exception:
                self.send_error(400)
                return
            with authority.lock:
                authority.requests += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format, *args) -> None:  # noqa: A002 - http.server's name
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    authority = TimestampAuthority(
        url=f"http://127.0.0.1:{server.server_address[1]}/tsr",
        certificate=certificate,
        server=server,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return authority


@pytest.fixture(name="tsa")
def tsa_fixture(settings):
    """A timestamp authority on loopback, set as ``SEAL_TSA_URL`` for the test."""
    authority = start_tsa()
    settings.SEAL_TSA_URL = authority.url
    yield authority
    authority.stop()
