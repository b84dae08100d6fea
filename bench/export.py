"""Export benchmark (issue 20, R-RET-2): "Mijn gegevens downloaden" for a client with 1,000
documents and 1,000 messages — the time to build the ZIP, as a ratio to copying the same files
into one file, and the memory growth while it is built.

Usage (from the project folder)::

    .venv/bin/python bench/export.py                       # 1,000 + 1,000, 64 KiB files
    .venv/bin/python bench/export.py --documents 200 --messages 200 --size 16K   # quick

What is measured, in this process, with a throw-away VAR_DIR (SQLite, local private storage):

data
    One office, one client, one dossier granted to it, DOCUMENTS documents of SIZE random bytes
    each (a third per tab; every fifth one attached to a message) and MESSAGES messages with a
    subject and a 1,000-character text, bulk-inserted.
baseline
    Every stored file read and appended to one file on the same disk, in 1 MiB chunks.
export
    ``portal.exports.tasks.build``: the archive of everything the client sees (documents,
    messages as text, the account's data, the README) written as a ZIP to a temporary file and
    stored in the private storage, the row marked ready and the e-mail queued. Memory: this
    process's VmRSS, polled every 10 ms while it runs, peak minus the value before. A first
    export of an account without dossiers runs before, as a warm-up (the URL configuration,
    templates and modules a worker has loaded after its first task).

Results go to bench/results/export-<timestamp>.json and a summary is printed; bench/report.py
puts the newest in bench/RESULTS.md. Goal (issue 20): memory growth < 50 MB (streamed).
Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
MB = 1024 * 1024
GOAL_GROWTH_MB = 50
_SCOPE = None  # the office scope this process works in (kept open)


def parse_size(text: str) -> int:
    units = {"K": 1024, "M": MB, "G": 1024 * MB}
    text = text.strip().upper()
    if text[-1:] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class PeakRss:
    """Polls this process's resident memory in a thread; ``peak`` after ``stop``."""

    def __init__(self):
        self.before = rss_mb()
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def setup_django(var_dir: Path) -> None:
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["DEBUG"] = "1"  # the embedded mode's defaults; queries are not kept (below)
    os.environ["PORTAL_DEV_APP"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    for name in ("DATABASE_URL", "MEDIA_ROOT", "CELERY_BROKER_URL", "S3_BUCKET", "REDIS_URL"):
        os.environ.pop(name, None)
    sys.path.insert(0, str(PROJECT_DIR / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # DEBUG keeps every query in memory; the export's memory is what is measured.
    settings.DEBUG = False
    call_command("migrate", interactive=False, verbosity=0)
    from portal.core import tenancy
    from portal.offices.services import create_office

    office = create_office(name="Benchmarkkantoor", hosts=["127.0.0.1"])
    global _SCOPE
    _SCOPE = tenancy.office_scope(office)
    _SCOPE.__enter__()


def make_data(documents: int, messages: int, size: int):
    from django.core.files.storage import default_storage

    from portal.accounts.models import Client, User
    from portal.documents.models import Document, storage_name
    from portal.dossiers.models import Dossier, DossierAccess
    from portal.messaging.models import Message
    from portal.offices.models import DossierStatus

    client = Client.objects.create(name="Benchmark Klant")
    user = User.objects.create_user(
        email="export@bench.klantportaal.test",
        password=secrets.token_urlsafe(16),
        full_name="Benchmark Klant",
        client=client,
    )
    dossier = Dossier.objects.create(
        number="2026.90001",
        description="Levering woning",
        status=DossierStatus.objects.order_by("pk").first(),  # the office's default statuses
    )
    DossierAccess.objects.create(dossier=dossier, client=client)
    Message.objects.bulk_create(
        Message(
            dossier=dossier,
            direction=Message.Direction.INCOMING if i % 2 else Message.Direction.OUTGOING,
            subject=f"Bericht {i} over de levering",
            body=("Tekst van het bericht. " * 44)[:1000],
            author=user if i % 2 == 0 else None,
        )
        for i in range(messages)
    )
    message_ids = list(Message.objects.filter(dossier=dossier).values_list("pk", flat=True))
    kinds = [Document.Kind.CORRESPONDENCE, Document.Kind.DOCUMENT, Document.Kind.SUPPLIED]
    rows = []
    attached = message_ids or [None]
    for i in range(documents):
        name = default_storage.save(storage_name(Document(), "x"), _random_file(size))
        rows.append(
            Document(
                dossier=dossier,
                kind=kinds[i % 3],
                title=f"Stuk {i}",
                original_name=f"stuk {i % 100}.pdf",  # names repeat: the numbering is exercised
                size=size,
                content_type="application/pdf",
                sha256="0" * 64,
                file=name,
                message_id=attached[i % len(attached)] if i % 5 == 0 else None,
            )
        )
    Document.objects.bulk_create(rows, batch_size=500)
    return user


def _random_file(size: int):
    from django.core.files.base import ContentFile

    return ContentFile(b"%PDF-1.7\n" + os.urandom(max(0, size - 9)))


def baseline(target_dir: Path) -> float:
    """Every stored document appended to one file, in 1 MiB chunks."""
    from portal.documents.models import Document

    start = time.perf_counter()
    with open(target_dir / "baseline.bin", "wb") as out:
        for document in Document.objects.only("file").iterator():
            with document.file.open("rb") as handle:
                shutil.copyfileobj(handle, out, MB)
        out.flush()
        os.fsync(out.fileno())
    seconds = time.perf_counter() - start
    (target_dir / "baseline.bin").unlink()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--size", default="64K", help="bytes per document (K, M suffixes)")
    parser.add_argument("--keep", action="store_true", help="keep the VAR_DIR")
    args = parser.parse_args()
    size = parse_size(args.size)
    var_dir = Path(tempfile.mkdtemp(prefix="kp-bench-export-"))
    try:
        setup_django(var_dir)
        user = make_data(args.documents, args.messages, size)
        import gc

        from portal.exports.models import DataExport
        from portal.exports.tasks import build

        base_seconds = baseline(var_dir)
        # Warm-up, as in a worker that has run a task before: an export of an account without
        # dossiers loads the URL configuration, the templates and the modules once.
        from portal.accounts.models import Client, User

        warm = User.objects.create_user(
            email="warm@bench.klantportaal.test", client=Client.objects.create(name="Warm")
        )
        assert build(DataExport.objects.create(user=warm).pk)
        export = DataExport.objects.create(user=user)
        gc.collect()
        with PeakRss() as memory:
            start = time.perf_counter()
            assert build(export.pk), "the export was not built"
            seconds = time.perf_counter() - start
        export.refresh_from_db()
        growth = round(memory.peak - memory.before, 1)
        result = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
            "load_average": os.getloadavg(),
            "documents": args.documents,
            "messages": args.messages,
            "document_bytes": size,
            "stored_mb": round(args.documents * size / MB, 1),
            "zip_mb": round((export.size or 0) / MB, 1),
            "export_seconds": round(seconds, 2),
            "baseline_seconds": round(base_seconds, 2),
            "ratio_to_baseline": round(seconds / base_seconds, 1) if base_seconds else None,
            "memory": {
                "before_mb": round(memory.before, 1),
                "peak_mb": round(memory.peak, 1),
                "growth_mb": growth,
            },
            "goal_growth_mb": GOAL_GROWTH_MB,
            "goal_met": growth < GOAL_GROWTH_MB,
        }
    finally:
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"export-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"written {path}")
    return 0 if result["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
