"""Retention sweep benchmark (issue 20, R-RET-1): removing 100,000 expired documents, their
files and their rows, in one run of the daily task: time and memory.

Usage (from the project folder)::

    .venv/bin/python bench/retention.py                       # 100,000 documents, SQLite
    .venv/bin/python bench/retention.py --documents 5000      # a quick try
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kp_retention_bench \\
        .venv/bin/python bench/retention.py --write-results

What is measured, in this process, on a throw-away VAR_DIR (SQLite there, or the PostgreSQL
database of DATABASE_URL, dropped and made again: its name must contain "bench"), local
private storage in that folder, DEBUG off (no query log):

data
    ``--dossiers`` dossiers (default 1,000) closed two years ago, with ``--documents``
    documents spread evenly over them and over the three document kinds, each with a client's
    read mark; one document in ``--on-disk-every`` (default 10) has a tiny file on disk, the
    others name a file that is not there (the sweep must take both). Bulk inserts in chunks
    (``bulk_create``): the baseline.
dry run
    ``portal.retention.sweep.plan``: what ``manage.py retention --dry-run`` counts.
sweep
    ``portal.retention.sweep.sweep`` (what the beat task ``apply_retention`` runs per office)
    with the default ``PRUNE_BATCH_SIZE`` (5,000) and ``PRUNE_MAX_BATCHES``: every document
    row, read mark and file goes, one content-free audit entry per dossier, kind and batch,
    one change in the API's changes feed per document. Memory: this process's VmRSS, polled
    every 5 ms (``bench/transfer.py``'s sampler), peak minus before.

Reported: seconds and documents per second of the sweep, its ratio to the bulk insert of the
same rows, the dry run's seconds, the memory growth (goal: bounded by the batch, well under
100 MB whatever the number of documents), and that nothing is left. ``--write-results`` writes
``bench/results/retention-<timestamp>.json`` and the figures in ``bench/RESULTS.md`` (its own
section, between markers). Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "src"))

from transfer import RssSampler  # noqa: E402

RESULTS = BENCH / "results"
MARK_START = "<!-- retention.py: start -->"
MARK_END = "<!-- retention.py: end -->"
CHUNK = 5000
GOAL_GROWTH_MB = 100


def setup_django(var_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["DEBUG"] = "1"  # the development defaults (secret key, hosts); the log is off below
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ.pop("S3_BUCKET", None)
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: it would grow with every statement


def fresh_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        from pages import fresh_postgres

        url = os.environ["DATABASE_URL"]
        if "bench" not in url.rsplit("/", 1)[-1]:
            raise SystemExit("DATABASE_URL's database name must contain 'bench'")
        fresh_postgres(url)
        connection.close()
    call_command("migrate", "--noinput", verbosity=0)


def make_data(dossiers: int, documents: int, on_disk_every: int) -> dict:
    """Closed dossiers full of expired documents, made in bulk; returns counts and the seconds
    of the bulk insert (the baseline). Runs in the context office."""
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from portal.accounts.models import User
    from portal.documents.models import Document, DocumentRead, storage_name
    from portal.dossiers.models import Dossier
    from portal.offices.models import DossierStatus

    closed = timezone.now() - dt.timedelta(days=730)
    status = DossierStatus.objects.create(name="Afgerond (bench)", closes_dossier=True)
    reader = User.objects.create_user(email="lezer@bench.retention.test", password=None)
    started = time.perf_counter()
    made = Dossier.objects.bulk_create(
        Dossier(number=f"R-{i:06d}", description=f"Bench {i}", status=status, closed_at=closed)
        for i in range(dossiers)
    )
    ids = [d.pk for d in made]
    kinds = list(Document.Kind.values)
    on_disk = 0
    for start in range(0, documents, CHUNK):
        rows = []
        for n in range(start, min(start + CHUNK, documents)):
            document = Document(
                dossier_id=ids[n % len(ids)],
                kind=kinds[n % len(kinds)],
                title=f"Stuk {n}",
                original_name=f"stuk-{n}.pdf",
                size=5,
                content_type="application/pdf",
                sha256="0" * 64,
            )
            document.file.name = storage_name(document, "")
            if n % on_disk_every == 0:
                default_storage.save(document.file.name, _tiny())
                on_disk += 1
            rows.append(document)
        saved = Document.objects.bulk_create(rows)
        DocumentRead.objects.bulk_create(DocumentRead(document=d, user=reader) for d in saved)
    seconds = time.perf_counter() - started
    return {
        "dossiers": dossiers,
        "documents": documents,
        "files_on_disk": on_disk,
        "insert_seconds": round(seconds, 3),
    }


def _tiny():
    from django.core.files.base import ContentFile

    return ContentFile(b"%PDF-")


def measure(dossiers: int, documents: int, on_disk_every: int) -> dict:
    """Make the data and run the dry run and the sweep on it, in the context office."""
    import gc

    from django.conf import settings
    from django.core.files.storage import default_storage

    from portal.audit.context import audit_context
    from portal.documents.models import Document, DocumentRead
    from portal.retention import sweep
    from portal.retention.models import FileRemoval

    data = make_data(dossiers, documents, on_disk_every)
    gc.collect()
    started = time.perf_counter()
    planned = sweep.plan()
    plan_seconds = time.perf_counter() - started
    with audit_context(), RssSampler(os.getpid()) as memory:
        started = time.perf_counter()
        removed = sweep.sweep()
        seconds = time.perf_counter() - started
    storage_root = Path(settings.MEDIA_ROOT)
    files_left = (
        sum(1 for p in storage_root.rglob("*") if p.is_file()) if storage_root.exists() else 0
    )
    assert default_storage  # the local storage of this VAR_DIR
    return {
        **data,
        "batch_size": settings.PRUNE_BATCH_SIZE,
        "max_batches": settings.PRUNE_MAX_BATCHES,
        "plan_seconds": round(plan_seconds, 3),
        "planned": sum(due.count for due in planned),
        "sweep_seconds": round(seconds, 3),
        "removed": sum(due.count for due in removed),
        "documents_per_second": round(documents / seconds) if seconds else None,
        "ratio_to_insert": round(seconds / data["insert_seconds"], 2),
        "memory": memory.report(),
        "left": {
            "documents": Document.objects.count(),
            "read_marks": DocumentRead.objects.count(),
            "files": files_left,
            "file_removals": FileRemoval.objects.count(),
        },
    }


def section(path: Path, result: dict) -> str:
    r = result
    memory = r["memory"]
    ok = memory["growth_mb"] < GOAL_GROWTH_MB
    left = r["left"]
    return "\n".join(
        [
            MARK_START,
            f"## Retention sweep — {r['database']}, {r['documents']:,} expired documents",
            "",
            f"`{path.relative_to(ROOT)}` · {r['when']} · written by `bench/retention.py` · "
            f"{r['machine']} · load average before {r['load_before']}, after {r['load_after']}",
            "",
            f"{r['dossiers']:,} closed dossiers, {r['documents']:,} documents over the three "
            f"kinds with a read mark each, {r['files_on_disk']:,} with a file on disk (the "
            f"others' files missing); batches of {r['batch_size']:,}, one run of "
            "`portal.retention.sweep.sweep` in-process, DEBUG off.",
            "",
            "| step | seconds | |",
            "|---|---:|---|",
            f"| bulk insert of the rows (baseline) | {r['insert_seconds']} | |",
            f"| dry run (`plan`) | {r['plan_seconds']} | {r['planned']:,} due |",
            f"| sweep | {r['sweep_seconds']} | {r['removed']:,} removed, "
            f"{r['documents_per_second']:,} documents/s, {r['ratio_to_insert']} × the insert |",
            "",
            f"**Memory growth during the sweep: {memory['growth_mb']} MB** (VmRSS "
            f"{memory['rss_before_mb']} → peak {memory['rss_peak_mb']} MB; goal < "
            f"{GOAL_GROWTH_MB} MB: {'met' if ok else 'NOT met'}). Left afterwards: "
            f"{left['documents']} documents, {left['read_marks']} read marks, "
            f"{left['files']} files, {left['file_removals']} files listed for removal.",
            "",
            "How to read it: the growth is of this process's resident memory, which already held "
            "what making the data in chunks of the same size had needed; it shows that the "
            "sweep's memory is bounded by its batch (the batches of the whole run add nothing), "
            "not the size of one batch's objects. The time is mostly Django's collector and "
            "the API's changes feed, which records each removed document with its own INSERT "
            "(about 60 % of the sweep in a profile at 3,000 documents); a daily run of "
            "`PRUNE_BATCH_SIZE` × `PRUNE_MAX_BATCHES` rows per kind stays well within the day.",
            MARK_END,
        ]
    )


def write_results(result: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"retention-{result['database'].split()[0]}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    _write_section(path, result)
    return path


def _write_section(path: Path, result: dict) -> None:
    doc = BENCH / "RESULTS.md"
    text = doc.read_text()
    block = section(path, result)
    if MARK_START in text:
        head, rest = text.split(MARK_START, 1)
        text = head + block + rest.split(MARK_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--dossiers", type=int, default=1_000)
    parser.add_argument("--on-disk-every", type=int, default=10)
    parser.add_argument("--write-results", action="store_true")
    parser.add_argument("--from-json", type=Path, help="only write RESULTS.md from this result")
    args = parser.parse_args()
    if args.from_json:
        path = args.from_json.resolve()
        _write_section(path, json.loads(path.read_text()))
        return 0
    var_dir = Path(tempfile.mkdtemp(prefix="kp-bench-retention-"))
    setup_django(var_dir)
    fresh_database()
    from django.db import connection

    from portal.core import tenancy
    from portal.offices.models import Office

    with tenancy.cross_office():
        office = Office.first_or_create()
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tenancy.office_scope(office):
        result = measure(args.dossiers, args.documents, args.on_disk_every)
    if connection.vendor == "sqlite":
        version = ".".join(map(str, connection.Database.sqlite_version_info))
    else:
        version = str(connection.pg_version)
    cpu = platform.processor() or platform.machine()
    result.update(
        when=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        database=f"{connection.vendor} {version}",
        machine=f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}",
        load_before=load_before,
        load_after=" ".join(f"{x:.2f}" for x in os.getloadavg()),
    )
    print(json.dumps(result, indent=2))
    if args.write_results:
        print(f"written: {write_results(result).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
