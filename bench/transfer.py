"""Transfer benchmark (issue 3): a large file through the running app, as a ratio to copying the
same file on the same disk, and the app's memory growth while it does so.

Usage (from the project folder)::

    .venv/bin/python bench/transfer.py            # 1 GiB
    .venv/bin/python bench/transfer.py 200M       # a quick run
    .venv/bin/python bench/transfer.py 2G --dir /srv/bench --keep

SIZE is a number of bytes, or with a binary suffix K, M or G (200M = 200 MiB).

What is measured, on one file of SIZE bytes (a PDF header and random bytes):

disk copy
    ``shutil.copyfile`` of the file to another name in the same folder: the baseline.
download
    The app under gunicorn (one sync worker) on 127.0.0.1, with its own throw-away VAR_DIR,
    SQLite and local private storage in the same folder, DEBUG=1. The client logs in through
    /inloggen/ (urllib with a cookie jar) and GETs /dossiers/<pk>/documenten/<id>/download/,
    reading the body in 1 MiB chunks. Memory: the gunicorn worker's VmRSS, polled during the
    transfer, peak minus the value before (after one small warm-up download).
upload
    ``portal.documents.services.publish_document`` called in this process with the file: the
    checks (size limit, SHA-256, content type, malware scan when configured) and the write to
    storage. Memory: this process's VmRSS, polled, peak minus before. Upload through HTTP is
    measured once the client's upload page exists; it arrives with the messages issue.

Throughput is in MB/s with MB = 2**20 bytes; memory in MB of the same size. Results go to
bench/results/transfer-<timestamp>.json and a summary is printed. Goal (issue 3): ratio >= 0.5
of the disk copy and memory growth < 50 MB. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import hashlib
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SRC_DIR = PROJECT_DIR / "src"
# The office scope the in-process steps run in (setup_django).
_SCOPE = None
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
MB = 1024 * 1024
CHUNK = 1024 * 1024
# The benchmark accounts live in a throw-away database; a fresh password each run.
PASSWORD = secrets.token_urlsafe(16)
GOAL_RATIO = 0.5
GOAL_GROWTH_MB = 50
# Settings from the caller's environment that must not leak into the benchmark's app.
DROP_ENV = {
    "DATABASE_URL",
    "MEDIA_ROOT",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "REDIS_URL",
    "CLAMAV_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
}


def parse_size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*", text, re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 1G or 200M)")
    factor = {"": 1, "k": 1024, "m": MB, "g": 1024 * MB}[match.group(2).lower()]
    size = int(float(match.group(1)) * factor)
    if size < 1024:
        raise argparse.ArgumentTypeError("the file must be at least 1 KiB")
    return size


# --- Measurements ---------------------------------------------------------------------------


def mb_s(size: int, seconds: float) -> float:
    return size / MB / seconds


def write_source(path: Path, size: int) -> str:
    """A file of ``size`` bytes the upload checks accept as a PDF; returns its SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        out.write(head)
        digest.update(head)
        written = len(head)
        while written < size:
            block = os.urandom(min(CHUNK, size - written))
            out.write(block)
            digest.update(block)
            written += len(block)
    return digest.hexdigest()


def disk_copy(source: Path, repeat: int, *, fsync: bool = False) -> dict:
    """``shutil.copyfile`` to another name in the same folder; with ``fsync``, until the copy
    is on the disk rather than in the page cache (for reference; the ratio uses the first)."""
    size = source.stat().st_size
    times = []
    for _ in range(repeat):
        target = source.with_name("copy.bin")
        start = time.perf_counter()
        shutil.copyfile(source, target)
        if fsync:
            fd = os.open(target, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        times.append(round(time.perf_counter() - start, 3))
        target.unlink()
    best = min(times)
    return {"seconds": best, "mb_s": round(mb_s(size, best), 1), "runs": times}


def sha256_ceiling() -> float:
    """SHA-256 throughput of this machine in MB/s: every upload is hashed (issue 3, item 1),
    so no upload can be faster than this."""
    block = os.urandom(64 * 1024)
    digest = hashlib.sha256()
    start = time.perf_counter()
    for _ in range(4096):  # 256 MB
        digest.update(block)
    return round(mb_s(4096 * len(block), time.perf_counter() - start), 1)


def proc_status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class RssSampler:
    """Polls a process's VmRSS in a thread while the block runs; ``growth_mb`` is the peak
    (polled, or VmHWM if that rose) minus the value before."""

    def __init__(self, pid: int, interval: float = 0.005):
        self.pid = pid
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak_kb = max(self.peak_kb, proc_status_kb(self.pid, "VmRSS"))
            except (OSError, KeyError):
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self.before_kb = proc_status_kb(self.pid, "VmRSS")
        self.hwm_before_kb = proc_status_kb(self.pid, "VmHWM")
        self.peak_kb = self.before_kb
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.after_kb = proc_status_kb(self.pid, "VmRSS")
        hwm_after_kb = proc_status_kb(self.pid, "VmHWM")
        if hwm_after_kb > self.hwm_before_kb:  # a peak between two polls
            self.peak_kb = max(self.peak_kb, hwm_after_kb)
        self.peak_kb = max(self.peak_kb, self.after_kb)

    def report(self) -> dict:
        return {
            "rss_before_mb": round(self.before_kb / 1024, 1),
            "rss_peak_mb": round(self.peak_kb / 1024, 1),
            "rss_after_mb": round(self.after_kb / 1024, 1),
            "growth_mb": round((self.peak_kb - self.before_kb) / 1024, 1),
        }


# --- The app --------------------------------------------------------------------------------


def app_environment(work: Path, size: int) -> dict[str, str]:
    var = work / "var"
    (var / "media").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in DROP_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        VAR_DIR=str(var),
        MEDIA_ROOT=str(var / "media"),
        DATABASE_URL=f"sqlite:///{var / 'db.sqlite3'}",
        DEBUG="1",
        SECRET_KEY="bench-" + secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1",
        UPLOAD_MAX_MB=str(size // MB + 2),
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(filter(None, [str(SRC_DIR), os.environ.get("PYTHONPATH")])),
    )
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(SRC_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from portal.core import tenancy
    from portal.offices.services import create_office

    # One office, served where the requests go; this short-lived process works in its scope.
    office = create_office(name="Benchmarkkantoor", hosts=["127.0.0.1"])
    global _SCOPE  # kept: a scope left for the collector would end at once
    _SCOPE = tenancy.office_scope(office)
    _SCOPE.__enter__()


def create_data(source: Path, sha256: str) -> dict:
    """A staff member, a client with an account, a dossier the client may see, a small warm-up
    document, and the benchmark document: the big file stored through default_storage."""
    from django.core.files.base import ContentFile, File
    from django.core.files.storage import default_storage

    from portal.accounts.models import Client, User
    from portal.documents.models import Document, storage_name
    from portal.dossiers.models import Dossier, DossierAccess
    from portal.offices.models import DossierStatus

    staff = User.objects.create_user("staff@bench.test", PASSWORD, is_staff=True)
    client = Client.objects.create(name="Bench Cliënt")
    user = User.objects.create_user("client@bench.test", PASSWORD, client=client)
    status, _ = DossierStatus.objects.get_or_create(
        name="In behandeling", defaults={"in_progress": True}
    )
    dossier = Dossier.objects.create(number="BENCH.0001", description="Benchmark", status=status)
    DossierAccess.objects.create(dossier=dossier, client=client, granted_by=staff)

    def document(title: str, name: str, size: int, digest: str) -> Document:
        return Document.objects.create(
            dossier=dossier,
            kind=Document.Kind.DOCUMENT,
            title=title,
            original_name=name,
            size=size,
            content_type="application/pdf",
            sha256=digest,
            file=name,
            uploaded_by=staff,
        )

    small = b"%PDF-1.7\nwarm-up\n"
    small_name = default_storage.save(storage_name(None, ""), ContentFile(small))
    warmup = document("Warm-up", small_name, len(small), hashlib.sha256(small).hexdigest())
    with source.open("rb") as fh:  # File.chunks(): 64 KiB at a time
        big_name = default_storage.save(storage_name(None, ""), File(fh, name="bench.pdf"))
    big = document("Benchmark", big_name, source.stat().st_size, sha256)
    big.original_name = "bench.pdf"
    big.save(update_fields=["original_name"])
    return {
        "staff": staff,
        "user": user,
        "dossier": dossier,
        "warmup": warmup,
        "big": big,
        "sha256": sha256,
    }


def upload_in_process(source: Path, data: dict) -> dict:
    try:
        from portal.documents.services import publish_document
    except ImportError:
        return {"skipped": "portal.documents.services.publish_document does not exist yet"}
    from django.core.files.base import File

    from portal.documents.models import Document

    size = source.stat().st_size
    # A small publish first: the imports and the first notification's templates are loaded
    # once per process, not per upload (as in the HTTP measurement's warm-up request).
    warmup = source.parent / "warmup-upload.pdf"
    warmup.write_bytes(b"%PDF-1.7\nwarm-up\n")
    with warmup.open("rb") as fh:
        publish_document(
            dossier=data["dossier"],
            kind=Document.Kind.DOCUMENT,
            title="Warm-up",
            file=File(fh, name="warmup.pdf"),
            by=data["staff"],
        )
    with source.open("rb") as fh, RssSampler(os.getpid()) as memory:
        start = time.perf_counter()
        document = publish_document(
            dossier=data["dossier"],
            kind=Document.Kind.DOCUMENT,
            title="Benchmark upload",
            file=File(fh, name="bench-upload.pdf"),
            by=data["staff"],
        )
        seconds = time.perf_counter() - start
    assert document.size == size, (document.size, size)
    return {
        "path": "publish_document in-process",
        "seconds": round(seconds, 3),
        "mb_s": round(mb_s(size, seconds), 1),
        "memory": memory.report(),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(work: Path, env: dict[str, str]) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    log = work / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--timeout",
        "600",
        "--graceful-timeout",
        "5",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603
            command, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    else:
        stop(server)
        raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}")
    return server, base, log


def worker_pid(master: int) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children")
        if children.exists():
            pids = children.read_text().split()
        else:
            pids = [
                p.name for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == master
            ]
        if pids:
            return int(pids[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker found")


def _ppid(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def log_in(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
    )
    with opener.open(f"{base}/inloggen/", timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not token:
        raise RuntimeError("no CSRF token on /inloggen/")
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": "client@bench.test",
            "password": PASSWORD,
            "next": "",
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
        f"{base}/inloggen/", data=form, headers={"Referer": f"{base}/inloggen/"}
    )
    with opener.open(request, timeout=30) as response:
        response.read()
    if not any(cookie.name == "sessionid" for cookie in jar):
        raise RuntimeError("log-in failed: no session cookie")
    return opener


def fetch(opener: urllib.request.OpenerDirector, url: str, expect_size: int) -> float:
    """GET ``url`` reading 1 MiB chunks; returns the seconds it took."""
    received = 0
    start = time.perf_counter()
    with opener.open(url, timeout=600) as response:
        disposition = response.headers.get("Content-Disposition", "")
        while chunk := response.read(CHUNK):
            received += len(chunk)
    seconds = time.perf_counter() - start
    if not disposition.startswith("attachment"):
        raise RuntimeError(f"not a download: Content-Disposition {disposition!r}")
    if received != expect_size:
        raise RuntimeError(f"received {received} bytes, expected {expect_size}")
    return seconds


def download_through_app(work: Path, env: dict[str, str], data: dict) -> dict:
    from django.urls import reverse

    dossier, warmup, big = data["dossier"], data["warmup"], data["big"]
    url = f"/dossiers/{dossier.pk}/documenten/{big.pk}/download/"
    warmup_url = f"/dossiers/{dossier.pk}/documenten/{warmup.pk}/download/"
    assert reverse("documents:download", args=[dossier.pk, big.pk]) == url
    server, base, log = start_gunicorn(work, env)
    try:
        worker = worker_pid(server.pid)
        opener = log_in(base)
        with opener.open(f"{base}/dossiers/{dossier.pk}/documenten/", timeout=30) as response:
            if url not in response.read().decode():
                raise RuntimeError("the download link is not on the Documenten tab")
        fetch(opener, base + warmup_url, warmup.size)  # imports, first-request work
        with RssSampler(worker) as memory:
            seconds = fetch(opener, base + url, big.size)
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{exc}\n{log.read_text()}") from exc
    finally:
        stop(server)
    return {
        "path": "GET /dossiers/<pk>/documenten/<id>/download/",
        "server": "gunicorn, 1 sync worker, 127.0.0.1, local private storage",
        "seconds": round(seconds, 3),
        "mb_s": round(mb_s(big.size, seconds), 1),
        "memory": memory.report(),
    }


def multipart_body(source: Path, boundary: str, name: str):
    """The request body of a one-file form, streamed from disk in 1 MiB pieces (the client
    never holds the file), and its length."""
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def pieces():
        yield head
        with source.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
        yield tail

    return pieces(), len(head) + source.stat().st_size + len(tail)


def upload_through_app(work: Path, env: dict[str, str], data: dict, source: Path) -> dict:
    """POST the file to the attachment endpoint of the message form, as the browser's dialog
    does: received by the size-limiting handler (hashed on the way), checked, stored."""
    from portal.documents.models import StagedUpload

    dossier = data["dossier"]
    server, base, log = start_gunicorn(work, env)
    try:
        worker = worker_pid(server.pid)
        opener = log_in(base)
        with opener.open(f"{base}/dossiers/{dossier.pk}/berichten/nieuw/", timeout=30) as page:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
        url = f"{base}/dossiers/{dossier.pk}/berichten/bijlagen/"

        def post(path: Path, name: str) -> tuple[float, dict]:
            boundary = secrets.token_hex(16)
            body, length = multipart_body(path, boundary, name)
            request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
                url,
                data=body,
                headers={
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Content-Length": str(length),
                    "X-CSRFToken": token.group(1),
                    "Referer": url,
                },
            )
            start = time.perf_counter()
            with opener.open(request, timeout=600) as response:
                answer = json.loads(response.read())
            return time.perf_counter() - start, answer

        warmup = work / "warmup.pdf"
        warmup.write_bytes(b"%PDF-1.7\nwarm-up\n")
        post(warmup, "warmup.pdf")  # imports, first-request work
        with RssSampler(worker) as memory:
            seconds, answer = post(source, "bench-upload.pdf")
    except urllib.error.HTTPError as exc:
        raise RuntimeError(f"{exc}\n{exc.read()[:2000]!r}\n{log.read_text()}") from exc
    finally:
        stop(server)
    staged = StagedUpload.objects.get(key=answer["key"])
    if staged.size != source.stat().st_size or staged.sha256 != data["sha256"]:
        raise RuntimeError("the stored upload does not match the file sent")
    return {
        "path": "POST /dossiers/<pk>/berichten/bijlagen/ (multipart, the attachment dialog's)",
        "server": "gunicorn, 1 sync worker, 127.0.0.1, local private storage",
        "seconds": round(seconds, 3),
        "mb_s": round(mb_s(staged.size, seconds), 1),
        "memory": memory.report(),
    }


# --- Main -----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", nargs="?", default="1G", type=parse_size, help="default 1G")
    parser.add_argument(
        "--dir", type=Path, default=PROJECT_DIR / "var", help="folder on the disk to measure"
    )
    parser.add_argument("--repeat", type=int, default=1, help="disk copies (best is used)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    args.dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-transfer-", dir=args.dir))
    try:
        source = work / "source.bin"
        print(f"Writing {args.size / MB:.0f} MB to {source} …", flush=True)
        sha256 = write_source(source, args.size)
        print("Disk copy …", flush=True)
        copy = disk_copy(source, max(1, args.repeat))
        copy_fsync = disk_copy(source, 1, fsync=True)

        env = app_environment(work, args.size)
        setup_django(env)
        data = create_data(source, sha256)
        print("Upload (publish_document, in-process) …", flush=True)
        upload = upload_in_process(source, data)
        print("Upload through the app (HTTP) …", flush=True)
        upload_http = upload_through_app(work, env, data, source)
        print("Download through the app …", flush=True)
        download = download_through_app(work, env, data)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    for result in (download, upload, upload_http):
        if "mb_s" in result:
            result["ratio_to_disk_copy"] = round(result["mb_s"] / copy["mb_s"], 3)
    results = {
        "benchmark": "transfer",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "size_bytes": args.size,
        "units": "MB = 2**20 bytes",
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "folder": str(args.dir.resolve()),
        },
        "disk_copy": copy,
        "disk_copy_with_fsync": copy_fsync,
        "sha256_mb_s": sha256_ceiling(),
        "download": download,
        "upload": upload,
        "upload_http": upload_http,
        "goal": {"ratio_at_least": GOAL_RATIO, "memory_growth_below_mb": GOAL_GROWTH_MB},
    }
    results["goal_met"] = all(
        r["ratio_to_disk_copy"] >= GOAL_RATIO and r["memory"]["growth_mb"] < GOAL_GROWTH_MB
        for r in (download, upload, upload_http)
        if "mb_s" in r
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS_DIR / f"transfer-{stamp}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")

    print(f"\nTransfer of {args.size / MB:.0f} MB (goal: ratio >= {GOAL_RATIO}, < 50 MB growth)")
    print(f"  disk copy  {copy['mb_s']:>8.1f} MB/s  (baseline: shutil.copyfile)")
    print(f"  + fsync    {copy_fsync['mb_s']:>8.1f} MB/s  (for reference)")
    print(f"  SHA-256    {results['sha256_mb_s']:>8.1f} MB/s  (ceiling for any upload)")
    for label, result in (("download", download), ("upload", upload), ("HTTP up", upload_http)):
        if "mb_s" in result:
            ratio = result["ratio_to_disk_copy"]
            growth = result["memory"]["growth_mb"]
            print(
                f"  {label:<9}  {result['mb_s']:>8.1f} MB/s  ratio {ratio:.2f}"
                f"  memory growth {growth:.1f} MB  ({result['path']})"
            )
        else:
            print(f"  {label:<9}  skipped: {result['skipped']}")
    print(f"  goal met: {'yes' if results['goal_met'] else 'NO'}")
    print(f"  results: {out.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
