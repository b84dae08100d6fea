"""Issue 8 fault tests: a PostgreSQL restart while clients send messages, a Redis outage with
notifications waiting, and 50 concurrent message sends with attachments.

The two HTTP tests run the app the production way: gunicorn (DEBUG off, persistent connections)
against a PostgreSQL cluster of their own on a loopback port (initdb + pg_ctl, removed at the
end), driven over HTTP like a browser. They use their own servers, so they run the same in
both CI passes (SQLite and PostgreSQL): the pytest database is not involved. The Redis test
starts its own redis-server on a free loopback port and uses the pytest database with a real
Celery worker, as tests/test_notifications.py does. The shared PostgreSQL on 5432 and Redis on
6379 are never touched."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import OperationalError
from django.test import Client as HttpClient

from .conftest import skip_or_fail
from .factories import PASSWORD, DossierFactory, StaffFactory, UserFactory, grant
from .loopback import free_port
from .mail import send_mail_to, smtp_server
from .workspace_helpers import staff_http

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
# What a 503 page must never show: an error text, the driver, a host or a query.
LEAKS = ("Traceback", "OperationalError", "InterfaceError", "psycopg", "127.0.0.1", "SELECT")


# --- in-process: the 503 page and the one-time submission key -----------------------------------


def test_database_outage_is_a_branded_503_without_error_text_issue_8(person, monkeypatch, caplog):
    """Issue 8 fault test / R-X-4: an unreachable database makes a page a 503 with Retry-After
    and the branded "try again" page in the user's language (Dutch by default, English with the
    language cookie), never the error text; the error is logged once. Other errors stay 500."""
    from portal.web.messaging import views

    def database_gone(request, pk):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')

    monkeypatch.setattr(views, "_dossier", database_gone)
    http = HttpClient(raise_request_exception=False)
    http.force_login(person)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = http.get("/dossiers/1/berichten/nieuw/")
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert "Tijdelijk niet beschikbaar" in page and "portal/portal" in page
    assert not [leak for leak in LEAKS if leak in page]
    assert [r.getMessage() for r in caplog.records if r.name == "django.request"] == [
        "Service Unavailable: /dossiers/1/berichten/nieuw/"
    ]

    http.cookies["django_language"] = "en"
    person.language = "en"
    person.save()
    english = http.get("/dossiers/1/berichten/nieuw/").content.decode()
    assert "Temporarily unavailable" in english and 'lang="en"' in english

    def bug(request, pk):
        raise ValueError("a bug")

    monkeypatch.setattr(views, "_dossier", bug)
    assert http.get("/dossiers/1/berichten/nieuw/").status_code == 500


def test_a_resent_compose_form_stores_one_message_issue_8_R_MSG_4(person):
    """Issue 8 fault test / R-MSG-4, R-MSG-6: the compose form carries a one-time key; sending
    the same form again (a retry after a 503 or a lost answer) stores no second message and no
    second attachment, and answers as a success; the key is refused for another user."""
    from portal.documents.models import Document, StagedUpload
    from portal.messaging.models import Message

    dossier = DossierFactory()
    grant(dossier, person.client)
    http = HttpClient()
    http.force_login(person)
    url = f"/dossiers/{dossier.pk}/berichten/nieuw/"
    form = http.get(url).content.decode()
    [key] = SUBMISSION_KEY.findall(form)
    assert SUBMISSION_KEY.findall(http.get(url).content.decode()) != [key]  # one key per form
    upload = http.post(
        f"/dossiers/{dossier.pk}/berichten/bijlagen/",
        {"file": _named(b"Bijlage bij de vraag\n", "vraag.txt")},
    )
    assert upload.status_code == 201, upload.content
    data = {
        "submission_key": key,
        "subject": "Vraag over de akte",
        "body": "Klopt de datum?",
        "attachment": upload.json()["key"],
        "send": "1",
    }
    for _attempt in range(3):
        response = http.post(url, data)
        assert response.status_code == 302
        assert response["Location"] == f"/dossiers/{dossier.pk}/berichten/"
    assert Message.objects.filter(dossier=dossier).count() == 1
    assert Message.objects.get(dossier=dossier).submission_key == uuid.UUID(key)
    assert Document.objects.filter(dossier=dossier).count() == 1
    assert not StagedUpload.objects.exists()

    other = UserFactory()
    grant(dossier, other.client)
    http.force_login(other)
    refused = http.post(url, {**data, "attachment": []})
    assert refused.status_code == 200
    assert "Dit formulier is al gebruikt" in refused.content.decode()
    assert Message.objects.filter(dossier=dossier).count() == 1


def _named(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/plain")


# --- an own PostgreSQL cluster and gunicorn ------------------------------------------------------


def _pg_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    candidates = []
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)  # noqa: S603
        candidates.append(Path(out.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


@dataclass
class Cluster:
    """A throw-away PostgreSQL cluster on 127.0.0.1:<port>, data in a temporary folder."""

    bindir: Path
    folder: Path
    port: int
    as_postgres: bool

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/klantportaal"

    def _run(self, *args: str, timeout: int = 60) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(  # noqa: S603
            command, check=True, capture_output=True, timeout=timeout, cwd=self.folder
        )

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres", "-N",
            "-E", "UTF8", "--no-locale",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.folder / "data"), "-o", options, "-l",
            str(self.folder / "postgres.log"), "-w", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", mode, "-w", "stop")

    def connect(self):
        import psycopg

        return psycopg.connect(self.url.replace("postgres://", "postgresql://"), autocommit=True)


@pytest.fixture(scope="module")
def cluster():
    bindir = _pg_bindir()
    if bindir is None:
        skip_or_fail("PostgreSQL's initdb/pg_ctl are not installed")
    as_postgres = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="kp-faults-pg-"))
    if as_postgres:
        shutil.chown(folder, "postgres")
    own = Cluster(bindir, folder, free_port(), as_postgres)
    try:
        own.init()
        own.start()
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{own.port}/postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE klantportaal")
        yield own
    finally:
        with suppress(subprocess.SubprocessError):
            own.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class App:
    base: str
    env: dict[str, str]
    work: Path
    server: subprocess.Popen
    accounts: dict[str, int] = field(default_factory=dict)  # e-mail → dossier pk

    @property
    def media(self) -> Path:
        return Path(self.env["MEDIA_ROOT"])

    def log(self) -> str:
        return (self.work / "gunicorn.log").read_text(errors="replace")


def app_environment(work: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The production settings, from the environment only: DEBUG off, persistent connections,
    plain HTTP on loopback (no HTTPS redirect, no __Host- cookies, no HSTS)."""
    drop = {"DEBUG", "CELERY_BROKER_URL", "REDIS_URL", "EMAIL_URL", "S3_BUCKET", "CLAMAV_URL"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        VAR_DIR=str(work / "var"),
        MEDIA_ROOT=str(work / "media"),
        STATIC_ROOT=str(work / "static"),
        DATABASE_URL=database_url,
        SECRET_KEY="faults-" + secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        DB_CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
        **extra,
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"manage.py {args[0]}: {result.stdout}{result.stderr}"
    return result.stdout


SETUP = """
import json
from portal.core import tenancy
from portal.offices.models import Office, OfficeHost
from tests.factories import DossierFactory, UserFactory, grant
with tenancy.cross_office():
    office = Office.objects.create(name="Notariskantoor")
    OfficeHost.objects.create(office=office, name="127.0.0.1", primary=True)
accounts = {}
with tenancy.office_scope(office):
    for email in %r:
        user = UserFactory(email=email)
        dossier = DossierFactory()
        grant(dossier, user.client)
        accounts[email] = dossier.pk
print(json.dumps(accounts))
"""

RESTART_USER = "herstart@example.test"
CONCURRENT_USERS = [f"gelijktijdig{n}@example.test" for n in range(5)]


@pytest.fixture(scope="module")
def app(cluster):
    """gunicorn (2 workers × 4 threads) with the production settings on the own cluster,
    migrated, with client accounts that each have a dossier."""
    work = Path(tempfile.mkdtemp(prefix="kp-faults-app-"))
    try:
        yield from _serve(work, cluster)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _serve(work: Path, cluster: Cluster):
    env = app_environment(work, cluster.url)
    (work / "media").mkdir()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    setup = SETUP % ([RESTART_USER, *CONCURRENT_USERS],)
    accounts = json.loads(manage(env, "shell", "--no-imports", "-c", setup).splitlines()[-1])
    port = free_port()
    with (work / "gunicorn.log").open("wb") as log:
        server = subprocess.Popen(  # noqa: S603 - our own server on loopback
            [
                PYTHON, "-m", "gunicorn", "portal.wsgi:application", "--bind",
                f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--timeout", "60",
                "--graceful-timeout", "5",
            ],
            cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    running = App(f"http://127.0.0.1:{port}", env, work, server, accounts)
    try:
        _wait_until_live(running)
        yield running
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_live(app: App) -> None:
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert app.server.poll() is None, f"gunicorn exited:\n{app.log()}"
        try:
            if requests.get(f"{app.base}/health/live/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not start:\n{app.log()}")


def log_in(app: App, email: str):
    """A browser session logged in through the login form (clients have no second step)."""
    import requests

    session = requests.Session()
    session.trust_env = False  # loopback: never through a proxy
    page = session.get(f"{app.base}/inloggen/", timeout=30)
    token = CSRF.search(page.text).group(1)
    response = session.post(
        f"{app.base}/inloggen/",
        {"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302 and "sessionid" in session.cookies, response.text[:500]
    return session


# --- 1. PostgreSQL restarted while clients send messages ----------------------------------------


@dataclass
class Sends:
    """What the sending threads saw."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    acknowledged: dict[str, float] = field(default_factory=dict)  # key → when
    retried: set[str] = field(default_factory=set)
    forms: dict[str, dict] = field(default_factory=dict)  # key → the form data sent
    bad: list[str] = field(default_factory=list)
    bodies_503: list[str] = field(default_factory=list)

    def note(self, status: str, text: str = "") -> None:
        with self.lock:
            self.statuses[status] += 1
            if status == "503" and len(self.bodies_503) < 20:
                self.bodies_503.append(text)


def _sender(app: App, session, pk: int, sends: Sends, stop: threading.Event, n: int) -> None:
    """Keep sending new messages; a send that did not succeed is resent with the SAME form
    (the same one-time key) until it does, as a user pressing "Verstuur" again would."""
    import requests

    url = f"{app.base}/dossiers/{pk}/berichten/nieuw/"
    count = 0
    while not stop.is_set():
        try:
            form = session.get(url, timeout=30)
        except requests.RequestException as exc:
            sends.note(type(exc).__name__)
            sends.bad.append(f"GET form: {type(exc).__name__}")
            continue
        if form.status_code != 200:
            sends.note(str(form.status_code), form.text)
            if form.status_code != 503:
                sends.bad.append(f"GET form: {form.status_code}")
            time.sleep(0.1)
            continue
        count += 1
        data = {
            "csrfmiddlewaretoken": CSRF.search(form.text).group(1),
            "submission_key": SUBMISSION_KEY.search(form.text).group(1),
            "subject": f"Vraag {n}.{count}",
            "body": f"Bericht {count} van verzender {n}.",
            "send": "1",
        }
        _send_until_acknowledged(session, url, data, sends)


def _send_until_acknowledged(session, url: str, data: dict, sends: Sends) -> None:
    """Send a filled-in form; resend the same form (the same one-time key) until it is
    acknowledged, as a user pressing "Verstuur" again after an error page would."""
    import requests

    key = data["submission_key"]
    tab = urlsplit(url).path.removesuffix("nieuw/")
    deadline = time.monotonic() + 30
    attempt = 0
    while time.monotonic() < deadline:
        attempt += 1
        try:
            response = session.post(url, data, allow_redirects=False, timeout=30)
        except requests.RequestException as exc:  # an uncertain send: resend it
            sends.note(type(exc).__name__)
            sends.bad.append(f"POST: {type(exc).__name__}")
            continue
        if response.status_code == 302 and response.headers["Location"] == tab:
            sends.note("302")
            with sends.lock:
                sends.acknowledged[key] = time.monotonic()
                sends.forms[key] = data
                if attempt > 1:
                    sends.retried.add(key)
            return
        sends.note(str(response.status_code), response.text)
        if response.status_code != 503:
            sends.bad.append(f"POST: {response.status_code} {response.text[:300]}")
        time.sleep(0.1)
    sends.bad.append(f"send {key} never acknowledged")


def test_postgres_restart_while_clients_send_messages_issue_8_R_MSG_4(app, cluster):
    """Issue 8 fault test / R-MSG-4: four clients' browsers keep sending messages to gunicorn
    (production settings, persistent connections) while its PostgreSQL is stopped for two
    seconds and started again. Every answer is a sent message (302 to the messages tab) or the
    branded 503 page (no error text) — never a 500; gunicorn is not restarted and sends succeed
    again by themselves; each 503 is logged once. Every send that failed is resent with the
    same form (one-time key) until acknowledged; in the database every acknowledged message is
    stored exactly once and nothing else is stored."""
    pk = app.accounts[RESTART_USER]
    session = log_in(app, RESTART_USER)
    sends, stop = Sends(), threading.Event()
    threads = [
        threading.Thread(
            target=_sender, args=(app, _clone(session), pk, sends, stop, n), daemon=True
        )
        for n in range(4)
    ]
    for thread in threads:
        thread.start()
    _wait_for(lambda: len(sends.acknowledged) >= 8, 20, "sends before the restart")
    before = len(sends.acknowledged)
    gunicorn_pid = app.server.pid

    # Three forms filled in before the outage and sent during it: each gets the 503 page and is
    # sent again until it goes through.
    url = f"{app.base}/dossiers/{pk}/berichten/nieuw/"
    held = []
    for n in range(3):
        form = session.get(url, timeout=30).text
        held.append(
            {
                "csrfmiddlewaretoken": CSRF.search(form).group(1),
                "submission_key": SUBMISSION_KEY.search(form).group(1),
                "subject": f"Tijdens de storing {n}",
                "body": "Verstuurd terwijl de database herstart.",
                "send": "1",
            }
        )
    cluster.stop("fast")
    down_at = time.monotonic()
    threads += [
        threading.Thread(
            target=_send_until_acknowledged, args=(_clone(session), url, data, sends), daemon=True
        )
        for data in held
    ]
    for thread in threads[-3:]:
        thread.start()
    time.sleep(2)
    cluster.start()
    up_at = time.monotonic()
    _wait_for(
        lambda: sum(when > up_at for when in sends.acknowledged.values()) >= 8,
        30,
        "sends after the restart",
    )
    stop.set()
    for thread in threads:
        thread.join(40)
    assert not any(thread.is_alive() for thread in threads)

    recovered = min(when for when in sends.acknowledged.values() if when > up_at) - up_at
    print(
        f"\nPostgreSQL restart: {len(sends.acknowledged)} messages acknowledged "
        f"({before} before the outage), answers {dict(sends.statuses)}, "
        f"{len(sends.retried)} resent with the same key, outage {up_at - down_at:.1f} s, "
        f"first send {recovered:.2f} s after PostgreSQL was back"
    )
    assert sends.bad == []
    assert set(sends.statuses) == {"302", "503"}, sends.statuses  # never a 500
    assert sends.statuses["503"] >= 1  # the outage was seen
    # The forms sent during the outage were answered 503 and went through when resent.
    assert {data["submission_key"] for data in held} <= sends.retried
    for page in sends.bodies_503:
        assert "Tijdelijk niet beschikbaar" in page and "portal/portal" in page
        assert not [leak for leak in LEAKS if leak in page]
    assert recovered < 10
    assert app.server.poll() is None and app.server.pid == gunicorn_pid
    assert app.log().count("Service Unavailable: ") == sends.statuses["503"]
    assert "Internal Server Error" not in app.log()

    # An answer lost on the way back (the message was stored): the user sends the form again.
    for data in sends.forms.values():
        again = session.post(url, data, timeout=30)
        assert again.status_code == 200 and again.url.endswith(f"/dossiers/{pk}/berichten/")

    with cluster.connect() as conn:
        stored = conn.execute(
            "SELECT m.submission_key::text, count(*) FROM messaging_message m "
            "JOIN accounts_user u ON u.id = m.author_id WHERE u.email = %s "
            "GROUP BY m.submission_key",
            [RESTART_USER],
        ).fetchall()
    per_key = dict(stored)
    assert set(per_key) == set(sends.acknowledged)  # none lost, nothing unacknowledged stored
    assert set(per_key.values()) == {1}  # none stored twice


def _clone(session):
    import requests

    copy = requests.Session()
    copy.trust_env = False
    copy.cookies.update(session.cookies)
    return copy


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


# --- 3. fifty concurrent sends with attachments ---------------------------------------------------


def test_fifty_concurrent_sends_with_attachments_each_stored_once_issue_8_R_MSG_6(app, cluster):
    """Issue 8 fault test / R-MSG-4, R-MSG-6, R-MSG-7: 50 browsers at once (5 clients, 10 each,
    against gunicorn with 2 workers × 4 threads on PostgreSQL) each open the compose form,
    upload an attachment through the dialog's endpoint and send a message with it. Exactly 50
    messages and 50 attachment documents are stored, no staged upload is left, and the storage
    holds exactly 50 files, one per document, whose contents match the SHA-256 recorded and
    the bytes sent: no orphan, no duplicate."""
    sessions = {email: log_in(app, email) for email in CONCURRENT_USERS}
    barrier = threading.Barrier(50)
    results: list[tuple[str, int, str]] = []
    lock = threading.Lock()
    sent: dict[str, bytes] = {}

    def client(n: int) -> None:
        email = CONCURRENT_USERS[n % len(CONCURRENT_USERS)]
        pk = app.accounts[email]
        session = _clone(sessions[email])
        url = f"{app.base}/dossiers/{pk}/berichten/nieuw/"
        content = f"Bijlage {n} voor het dossier.\n{secrets.token_hex(16)}\n".encode()
        outcome = "ok"
        try:
            form = session.get(url, timeout=60)
            token = CSRF.search(form.text).group(1)
            key = SUBMISSION_KEY.search(form.text).group(1)
            barrier.wait(60)
            upload = session.post(
                f"{app.base}/dossiers/{pk}/berichten/bijlagen/",
                data={"csrfmiddlewaretoken": token},
                files={"file": (f"bijlage-{n}.txt", content, "text/plain")},
                timeout=60,
            )
            if upload.status_code != 201:
                outcome = f"upload {upload.status_code} {upload.text[:200]}"
                return
            response = session.post(
                url,
                {
                    "csrfmiddlewaretoken": token,
                    "submission_key": key,
                    "subject": f"Stukken {n}",
                    "body": f"Hierbij bijlage {n}.",
                    "attachment": upload.json()["key"],
                    "send": "1",
                },
                allow_redirects=False,
                timeout=60,
            )
            if response.status_code != 302:
                outcome = f"send {response.status_code} {response.text[:200]}"
            with lock:
                sent[hashlib.sha256(content).hexdigest()] = content
        except Exception as exc:  # noqa: BLE001 - reported with the results
            outcome = f"{type(exc).__name__}: {exc}"
        finally:
            with lock:
                results.append((email, n, outcome))

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    elapsed = time.monotonic() - started
    assert [r for r in results if r[2] != "ok"] == []
    assert len(results) == 50

    with cluster.connect() as conn:
        messages = conn.execute(
            "SELECT count(*) FROM messaging_message m JOIN accounts_user u ON u.id = m.author_id "
            "WHERE u.email = ANY(%s)",
            [CONCURRENT_USERS],
        ).fetchone()[0]
        documents = conn.execute(
            "SELECT d.file, d.sha256, d.message_id FROM documents_document d "
            "JOIN messaging_message m ON m.id = d.message_id "
            "JOIN accounts_user u ON u.id = m.author_id WHERE u.email = ANY(%s)",
            [CONCURRENT_USERS],
        ).fetchall()
        staged = conn.execute("SELECT count(*) FROM documents_stagedupload").fetchone()[0]
        all_documents = conn.execute("SELECT file FROM documents_document").fetchall()
    files = {
        path.relative_to(app.media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in app.media.rglob("*")
        if path.is_file()
    }
    print(
        f"\n50 concurrent sends with attachments in {elapsed:.1f} s: {messages} messages, "
        f"{len(documents)} documents, {len(files)} files in storage, {staged} staged left"
    )
    assert messages == 50
    assert len(documents) == 50
    assert len({message for _file, _sha, message in documents}) == 50  # one per message
    assert staged == 0
    assert len(files) == 50
    assert set(files) == {name for (name,) in all_documents}  # no orphan, no missing file
    assert {name: sha for name, sha, _message in documents} == files  # contents as recorded
    assert set(files.values()) == set(sent)  # the bytes each client sent, each once


# --- 2. Redis down: notifications are kept and sent when it returns -------------------------------


@contextmanager
def redis_server(port: int):
    binary = shutil.which("redis-server")
    if binary is None:
        skip_or_fail("redis-server is not installed")
    folder = tempfile.mkdtemp(prefix="kp-faults-redis-")
    process = subprocess.Popen(  # noqa: S603 - our own Redis on loopback
        [
            binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", folder, "--logfile", "",
        ],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    import redis

    try:
        client = redis.Redis(port=port, socket_connect_timeout=1)
        _wait_for(lambda: _pings(client), 10, "redis-server")
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)
            process.terminate()
            process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def _forget_connections(celery) -> None:
    """Drop the app's pooled broker connections and its queue set, which Celery caches from
    the configuration of the moment (another test changes the broker and the queue too)."""
    celery._pool = None
    celery.amqp._producer_pool = None
    del celery.amqp


def _pings(client) -> bool:
    import redis

    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.mark.django_db(transaction=True)
def test_redis_down_notifications_are_kept_and_sent_when_it_returns_issue_8_R_ME_3(settings):
    """Issue 8 fault test / R-ME-3: the broker is an own redis-server (eager mode off). With it
    hanging (SIGSTOP: connections accepted, never answered) and then gone (stopped), the office
    answers two clients over the workspace: both sends succeed (302, within the publish
    timeouts), the PendingNotification rows are kept. Redis is started again; a real Celery
    worker runs the beat sweep send_due_notifications, and each client's e-mail reaches a real
    SMTP server on loopback (aiosmtpd); nothing is left pending."""
    from celery.contrib.testing.worker import start_worker
    from django.utils import timezone

    from portal.celery import app as celery
    from portal.messaging.models import Message
    from portal.notifications.models import OutgoingEmail, PendingNotification
    from portal.notifications.services import send_due_notifications

    smtp = ExitStack()
    inbox, smtp_port = smtp.enter_context(smtp_server())
    send_mail_to(settings, smtp_port)

    staff = StaffFactory()
    clients = [UserFactory(email=f"klant{n}@example.test") for n in range(2)]
    dossiers = [DossierFactory() for _ in clients]
    for dossier, user in zip(dossiers, clients, strict=True):
        grant(dossier, user.client)
    office = staff_http(staff)
    office.raise_request_exception = False

    port = free_port()
    saved = {
        key: celery.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")
    }
    celery.conf.update(
        task_always_eager=False,
        broker_url=f"redis://127.0.0.1:{port}/0",
        task_default_queue=f"klantportaal-faults-{uuid.uuid4().hex}",
    )
    _forget_connections(celery)
    timings = []
    try:
        with redis_server(port) as redis_process:
            redis_process.send_signal(signal.SIGSTOP)  # hanging: accepts, never answers
            for dossier in dossiers:
                started = time.monotonic()
                response = office.post(
                    f"/kantoor/dossiers/{dossier.pk}/berichten/nieuw/",
                    {"subject": "Concept akte", "body": "De concept akte staat klaar."},
                )
                timings.append(time.monotonic() - started)
                assert response.status_code == 302, response.content[:500]
                redis_process.send_signal(signal.SIGCONT)
                redis_process.terminate()  # then gone
                redis_process.wait(10)
        assert Message.objects.filter(dossier__in=dossiers, author=staff).count() == 2
        pending = PendingNotification.objects.filter(user__in=clients)
        assert sorted(pending.values_list("user__email", flat=True)) == sorted(
            user.email for user in clients
        )
        assert not OutgoingEmail.objects.filter(kind="notification").exists()

        # Redis is back (empty: the digest tasks were never published); the window has passed.
        pending.update(created_at=timezone.now() - timedelta(hours=1))
        with redis_server(port):
            _forget_connections(celery)
            with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=10):
                send_due_notifications.delay()
                _wait_for(lambda: len(inbox.messages) >= 2, 30, "the notification e-mails")
                time.sleep(0.5)
    finally:
        celery.conf.update(saved)
        _forget_connections(celery)
        smtp.close()
    print(
        f"\nRedis outage: office sends took {', '.join(f'{t:.1f} s' for t in timings)} "
        f"(hanging, down); {len(inbox.messages)} e-mails delivered after the restart"
    )
    assert max(timings) < 15  # the publish timeouts, not a hang
    assert sorted(str(m["To"]) for _rcpt, m in inbox.messages) == sorted(u.email for u in clients)
    assert not PendingNotification.objects.exists()
    assert OutgoingEmail.objects.filter(kind="notification", sent_at__isnull=True).count() == 0
