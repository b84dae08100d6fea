"""The portal run the production way, end to end (issue 8, "done when"): gunicorn with the
project's settings and DEBUG off, serving HTTPS itself (a self-signed certificate for localhost,
standing in for the TLS proxy), PostgreSQL, private files in S3 (moto's server on loopback),
Redis as cache and Celery broker with a real Celery worker process, e-mail to a real SMTP server
on loopback (aiosmtpd). Nothing is mocked: the tests talk HTTPS to the server like a browser.

What it proves: ``check --deploy --fail-level WARNING`` passes with these settings; readiness
sees database, storage and broker; the security headers and ``__Host-`` cookies on every kind of
page; anonymous visitors are sent to the login; CSRF refusals; the login lockout; a client's
login, download from S3 and a message with an attachment stored in S3; staff log in with the
authenticator code, answer, and the notification e-mail is delivered by the worker; the logs
are JSON lines without the passwords, codes or file contents that went through the server."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest

from .conftest import skip_or_fail
from .loopback import free_port, reachable
from .mail import smtp_server
from .s3 import moto_s3

pytestmark = pytest.mark.production

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "Demo-portaal1"  # the demo data's password (manage.py demo)
DOMAIN = "demo.klantportaal.test"
FILE_CONTENT = b"%PDF-1.4\n% BIJLAGE-IN-PRODUCTIE-7731\n%%EOF\n"


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for localhost (the demo's first office) and 127.0.0.1, made here, for
    this run only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Production:
    def __init__(self, base, cert, env, log_path, inbox, s3, bucket, totp_key):
        self.base, self.cert, self.env, self.log_path = base, cert, env, log_path
        self.inbox, self.s3, self.bucket, self.totp_key = inbox, s3, bucket, totp_key

    def session(self):
        import requests

        session = requests.Session()
        session.verify = str(self.cert)
        session.trust_env = False  # loopback only, never a proxy from the environment
        return session

    def url(self, path: str) -> str:
        return self.base + path

    def manage(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **extra_env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def bucket_objects(self) -> dict[str, bytes]:
        client = self.s3.client()
        found = client.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return {
            item["Key"]: client.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
            for item in found
        }

    def staff(self):
        """The office's staff session, logged in once with password and authenticator code (a
        code works once: a second login in the same 30 s would be refused as a replay)."""
        if getattr(self, "_staff", None) is None:
            self._staff = self.log_in(f"notaris@{DOMAIN}", code=True)
        return self._staff

    def log_in(self, email: str, *, code: bool = False):
        session = self.session()
        form = session.get(self.url("/inloggen/"), timeout=30)
        response = session.post(
            self.url("/inloggen/"),
            data={"csrfmiddlewaretoken": csrf(form.text), "username": email, "password": PASSWORD},
            headers={"Referer": self.url("/inloggen/")},
            timeout=30,
        )
        assert response.status_code == 200, response.status_code
        if code:
            from django_otp.oath import totp

            page = session.get(self.url("/inloggen/code/"), timeout=30)
            value = f"{totp(base64.b32decode(self.totp_key)):06d}"
            response = session.post(
                self.url("/inloggen/code/"),
                data={"csrfmiddlewaretoken": csrf(page.text), "code": value},
                headers={"Referer": self.url("/inloggen/code/")},
                timeout=30,
            )
            assert response.status_code == 200
            self.codes_used = [*getattr(self, "codes_used", []), value]
        return session


def jan_dossier(production, client, number: str = "2026.0142") -> int:
    """The id of one of Jan's dossiers, found by its number on his dossier list."""
    page = client.get(production.url("/dossiers/?q=" + number), timeout=30).text
    return int(re.search(r'href="/dossiers/(\d+)/"', page).group(1))


def send_message(production, client, dossier_id: int, subject: str, attachment: bytes | None):
    """The compose flow as the browser drives it: the attachment uploaded first (staged),
    then the form sent with the staged file's key."""
    form = client.get(production.url(f"/dossiers/{dossier_id}/berichten/nieuw/"), timeout=30)
    token = csrf(form.text)
    data = {"csrfmiddlewaretoken": token, "subject": subject, "body": "Met bijlage."}
    if attachment is not None:
        staged = client.post(
            production.url(f"/dossiers/{dossier_id}/berichten/bijlagen/"),
            files={"file": ("bijlage.pdf", attachment, "application/pdf")},
            data={"csrfmiddlewaretoken": token},
            headers={"Referer": form.url, "X-CSRFToken": token},
            timeout=60,
        )
        assert staged.status_code == 201, staged.text
        data["attachment"] = staged.json()["key"]
    sent = client.post(
        production.url(f"/dossiers/{dossier_id}/berichten/nieuw/"),
        data=data,
        headers={"Referer": form.url},
        timeout=60,
    )
    assert sent.status_code == 200 and subject in sent.text
    return sent


def csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _require_parts() -> None:
    if not reachable(5432):
        skip_or_fail("PostgreSQL is not reachable on 127.0.0.1:5432")
    if not reachable(6379):
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
        skip_or_fail("gunicorn is not installed in the virtualenv")


@pytest.fixture(scope="module")
def production():
    _require_parts()
    import psycopg

    work = Path(tempfile.mkdtemp(prefix="klantportaal-production-"))
    database = f"klantportaal_production_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    smtp = ExitStack()
    inbox, smtp_port = smtp.enter_context(smtp_server())
    processes: list[subprocess.Popen] = []
    try:
        with moto_s3() as s3:
            bucket = s3.create_bucket()
            cert, key = self_signed(work)
            port = free_port()
            # The demo's first office (whose logins the tests use) is served at localhost.
            base = f"https://localhost:{port}"
            redis_db = 1 + secrets.randbelow(14)
            env = {
                key: value
                for key, value in os.environ.items()
                if not key.startswith(("DJANGO_", "DATABASE_", "S3_", "CELERY_", "EMAIL_"))
            }
            env.update(
                s3.env(bucket),
                DEBUG="0",
                SECRET_KEY=secrets.token_urlsafe(50),
                DATABASE_URL=f"{PG}/{database}",
                DB_CONN_MAX_AGE="60",
                REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
                CELERY_BROKER_URL=f"redis://127.0.0.1:6379/{redis_db}",
                EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
                ALLOWED_HOSTS="localhost,127.0.0.1",
                CSRF_TRUSTED_ORIGINS=base,
                PORTAL_BASE_URL=base,
                SECURE_HSTS_SECONDS="31536000",
                VAR_DIR=str(work / "var"),
                NOTIFICATION_DIGEST_SECONDS="1",
                LOG_FORMAT="json",
                LOG_LEVEL="INFO",
                AXES_FAILURE_LIMIT="5",
                TRUSTED_PROXY_COUNT="1",
                # No clamd here (tests/test_clamav.py runs one): said on purpose, so that
                # `check --deploy` does not warn about unscanned uploads.
                CLAMAV_DISABLED="1",
                PYTHONPATH=str(ROOT / "src"),
            )
            env.pop("CLAMAV_URL", None)
            env.pop("SECURE_SSL_REDIRECT", None)  # the production default: redirect to HTTPS
            env.pop("SECURE_COOKIES", None)
            prod = Production(base, cert, env, work / "server.log", inbox, s3, bucket, "")
            for step in (("migrate", "--noinput"), ("collectstatic", "--noinput")):
                done = prod.manage(*step)
                assert done.returncode == 0, done.stderr[-3000:]
            # The demo command is in the development app, which production leaves out unless
            # asked for; the servers below run without it.
            demo = prod.manage("demo", "--force", PORTAL_DEV_APP="1")
            assert demo.returncode == 0, demo.stderr[-3000:]
            prod.totp_key = re.search(r"authenticator key: (\w+)", demo.stdout).group(1)

            log = prod.log_path.open("wb")
            worker_log = (work / "worker.log").open("wb")
            bin_dir = Path(sys.executable).parent
            processes.append(
                subprocess.Popen(  # noqa: S603 - the venv's own gunicorn
                    [
                        str(bin_dir / "gunicorn"),
                        "-c",
                        "python:portal.gunicorn_config",
                        "portal.wsgi",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "2",
                        "--certfile",
                        str(cert),
                        "--keyfile",
                        str(key),
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            processes.append(
                subprocess.Popen(  # noqa: S603 - the venv's own celery
                    [
                        str(bin_dir / "celery"),
                        "--quiet",
                        "-A",
                        "portal",
                        "worker",
                        "--pool",
                        "solo",
                        "--loglevel",
                        "WARNING",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=worker_log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            deadline = time.monotonic() + 60
            while not reachable(port):
                assert processes[0].poll() is None, prod.log_path.read_text()[-3000:]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
            yield prod
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        smtp.close()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


def test_check_deploy_passes_with_these_settings_issue_8(production):
    """Item 1: Django's deployment checklist, failing on warnings, with the server's settings."""
    done = production.manage("check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr


def test_readiness_sees_database_storage_and_broker_issue_8(production):
    response = production.session().get(production.url("/health/ready/"), timeout=30)
    assert response.status_code == 200, response.text
    checks = response.json()["checks"]
    assert {name: checks[name] for name in ("database", "storage", "broker")} == {
        "database": "ok",
        "storage": "ok",
        "broker": "ok",
    }
    live = production.session().get(production.url("/health/live/"), timeout=30)
    assert live.json() == {"status": "ok"}


def assert_secure_headers(response) -> None:
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
    assert re.search(r"script-src[^;]*'nonce-", policy) or "script-src 'self'" in policy
    hsts = int(re.search(r"max-age=(\d+)", headers["Strict-Transport-Security"]).group(1))
    assert hsts >= 31_536_000
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_headers_and_cookies_on_every_kind_of_page_issue_8(production):
    """Item 2 on the real server: anonymous, client, staff pages and an error page."""
    anonymous = production.session()
    login = anonymous.get(production.url("/inloggen/"), timeout=30)
    assert_secure_headers(login)
    assert_secure_headers(anonymous.get(production.url("/bestaat-niet/"), timeout=30))
    for cookie in anonymous.cookies:
        assert cookie.name.startswith("__Host-") and cookie.secure and cookie.path == "/"

    client = production.log_in(f"jan@{DOMAIN}")
    for path in ("/", "/dossiers/", "/mijn-gegevens/"):
        response = client.get(production.url(path), timeout=30)
        assert response.status_code == 200, path
        assert_secure_headers(response)
    session_cookie = next(c for c in client.cookies if c.name == "__Host-sessionid")
    assert session_cookie.secure and session_cookie.has_nonstandard_attr("HttpOnly")

    staff = production.staff()
    inbox = staff.get(production.url("/kantoor/"), timeout=30)
    assert inbox.status_code == 200 and "/inloggen" not in inbox.url
    assert_secure_headers(inbox)


def test_visitors_are_sent_to_the_login_and_posts_need_a_token_issue_8(production):
    """Route inventory and CSRF on the real server: protected pages redirect anonymous
    visitors; a POST without the token is refused with the branded 403."""
    http = production.session()
    for path in ("/", "/dossiers/", "/dossiers/1/", "/acties/", "/kantoor/", "/mijn-gegevens/"):
        response = http.get(production.url(path), allow_redirects=False, timeout=30)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/inloggen/"), path
    refused = http.post(
        production.url("/inloggen/"), data={"username": "x@y.test", "password": "z"}, timeout=30
    )
    assert refused.status_code == 403 and "Geen toegang" in refused.text


def test_client_download_and_message_with_attachment_through_s3_issue_8(production):
    """R-DOC-3/R-MSG-6 with production storage: a published document comes from the bucket;
    a message's attachment lands in the bucket exactly once."""
    client = production.log_in(f"jan@{DOMAIN}")
    dossier_id = jan_dossier(production, client, "2026.0142")
    download = None
    for tab in ("", "documenten/"):
        page = client.get(production.url(f"/dossiers/{dossier_id}/{tab}"), timeout=30).text
        download = download or re.search(r'href="(/dossiers/\d+/documenten/\d+/download/)"', page)
    assert download, "the demo's house purchase has published documents"
    got = client.get(production.url(download.group(1)), timeout=60)
    assert got.status_code == 200 and len(got.content) > 0
    assert got.content in production.bucket_objects().values()

    before = production.bucket_objects()
    send_message(production, client, dossier_id, "Productietest", FILE_CONTENT)
    after = production.bucket_objects()
    new = {key: value for key, value in after.items() if key not in before}
    assert list(new.values()) == [FILE_CONTENT]


def test_staff_answer_reaches_the_client_by_email_through_the_worker_issue_8(production):
    """R-OFF-4/R-ME-3: staff log in with the authenticator code, answer a client's message in
    the workspace; the Celery worker delivers the notification over SMTP."""
    client = production.log_in(f"jan@{DOMAIN}")
    dossier_id = jan_dossier(production, client)
    send_message(production, client, dossier_id, "Vraag van Jan", None)
    staff = production.staff()
    inbox = staff.get(production.url(f"/kantoor/dossiers/{dossier_id}/"), timeout=30).text
    message = re.search(r'href="(/kantoor/dossiers/\d+/berichten/\d+/)">Vraag van Jan<', inbox)
    assert message, inbox[inbox.find("<tbody") :][:3000]
    production.inbox.messages.clear()
    page = staff.get(production.url(message.group(1)), timeout=30)
    answered = staff.post(
        page.url,
        data={
            "csrfmiddlewaretoken": csrf(page.text),
            "subject": "Re: productie",
            "body": "Ons antwoord.",
        },
        headers={"Referer": page.url},
        timeout=60,
    )
    assert answered.status_code == 200
    deadline = time.monotonic() + 45
    while not production.inbox.messages and time.monotonic() < deadline:
        time.sleep(0.5)
    assert production.inbox.messages, "no notification e-mail arrived"
    recipients = {address for rcpt, _message in production.inbox.messages for address in rcpt}
    assert f"jan@{DOMAIN}" in recipients
    text = "\n".join(
        part.get_content()
        for _rcpt, message in production.inbox.messages
        for part in message.walk()
        if part.get_content_maintype() == "text"
    )
    assert "Ons antwoord" not in text  # R-X-5: only that something is waiting


def test_the_server_logs_are_json_without_secrets_issue_8(production):
    """Item 5, read off the running server's own output (gunicorn, app and worker)."""
    production.log_in(f"jan@{DOMAIN}")  # at least one login went through this server
    lines = [line for line in production.log_path.read_text().splitlines() if line.strip()]
    assert lines
    parsed = [json.loads(line) for line in lines]  # every line one JSON object
    assert any(entry.get("logger") == "gunicorn.access" for entry in parsed)
    # The worker's own output: Python's warnings (running as root in CI) are plain text; its
    # log records are JSON too. Neither holds a secret.
    worker = (production.log_path.parent / "worker.log").read_text()
    text = "\n".join(lines) + worker
    for secret in (PASSWORD, "BIJLAGE-IN-PRODUCTIE", *getattr(production, "codes_used", [])):
        assert secret not in text


def test_the_login_locks_after_the_threshold_issue_8(production):
    """Item 4: AXES_FAILURE_LIMIT=5 wrong passwords for one account lock it; the right
    password is refused too until the cool-off. Behind one trusted proxy (TRUSTED_PROXY_COUNT=1)
    the address is the one the proxy appended: a different address than the other tests'."""
    email = f"sanne@{DOMAIN}"
    http = production.session()
    http.headers["X-Forwarded-For"] = "198.51.100.77"
    statuses = []
    for _ in range(5):
        form = http.get(production.url("/inloggen/"), timeout=30)
        response = http.post(
            production.url("/inloggen/"),
            data={"csrfmiddlewaretoken": csrf(form.text), "username": email, "password": "fout"},
            headers={"Referer": production.url("/inloggen/")},
            timeout=30,
        )
        statuses.append(response.status_code)
    form = http.get(production.url("/inloggen/"), timeout=30)
    locked = http.post(
        production.url("/inloggen/"),
        data={"csrfmiddlewaretoken": csrf(form.text), "username": email, "password": PASSWORD},
        headers={"Referer": production.url("/inloggen/")},
        allow_redirects=False,
        timeout=30,
    )
    assert statuses[:4] == [200] * 4
    assert locked.status_code in (403, 429)
    assert "__Host-sessionid" not in {c.name for c in http.cookies}
