"""Seal benchmark (issue 19): sealing a 10 MB PDF with the office's seal, in time and memory
growth, each as a ratio to pyHanko's own minimal example run in the same process.

Usage (from the project folder)::

    .venv/bin/python bench/seal.py                  # 10 MB, best of 5
    .venv/bin/python bench/seal.py --mb 20 --repeat 3

What is measured (in this process, no database; the office is a stand-in with a name, an id and
an address; the key is the test seal's, made under a temporary VAR_DIR):

seal
    ``portal.documents.sealing.seal_pdf``: what publishing a PDF costs on top of the upload
    checks: PAdES signature over the whole file, visible stamp with the verify code, no
    timestamp authority.
baseline
    pyHanko's minimal example: ``signers.sign_pdf`` of the same file with the same
    ``SimpleSigner`` and only a field name (no stamp, default sub-filter).

The PDF has one page per MB, each showing a 1024 × 1024 grey image of random bytes (raw, so it
is as large in the file as in memory, and cannot be compressed away). Time: the best of
``--repeat`` runs of each, alternating. Memory: the peak of Python allocations (tracemalloc)
during one call, less what was allocated before it, in a separate run (tracemalloc slows the
calls down). Results go to bench/results/seal-<timestamp>.json and bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
MARK_START, MARK_END = "<!-- seal.py: start -->", "<!-- seal.py: end -->"

sys.path.insert(0, str(BENCH))
from sections import write_section  # noqa: E402


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="kp-bench-seal-"))
    os.environ.pop("SEAL_TSA_URL", None)
    import django

    django.setup()


def large_pdf(megabytes: int) -> bytes:
    """A valid PDF of ``megabytes`` pages, each with a 1 MiB raw grey image of random bytes."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for _page in range(megabytes):
        image = os.urandom(1024 * 1024)
        image_number = len(objects) + 1
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width 1024 /Height 1024 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length %d >>\nstream\n%s\nendstream" % (len(image), image)
        )
        content = b"q 500 0 0 500 48 300 cm /Im1 Do Q"
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        page_number = len(objects) + 1
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /XObject << /Im1 %d 0 R >> >> >>" % (page_number - 1, image_number)
        )
        kids.append(b"%d 0 R" % page_number)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    from portal_dev.management.commands.demo import pdf_of

    return pdf_of(objects)


class Office:
    """Stand-in for an office: what ``seal_pdf`` reads of it."""

    pk = 1
    name = "Notariskantoor Van Dam"
    base_url = "https://portaal.vandam-notarissen.nl"


def measure(megabytes: int, repeat: int) -> dict:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    from portal.documents import sealing

    office = Office()
    data = large_pdf(megabytes)
    signer = sealing.seal_key(office).signer  # type: ignore[arg-type]

    def seal() -> bytes:
        return sealing.seal_pdf(data, office=office, code="K7QF2M9X")  # type: ignore[arg-type]

    def baseline() -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        meta = signers.PdfSignatureMetadata(field_name="Signature1")
        return signers.sign_pdf(writer, meta, signer=signer).getvalue()

    runs = {"seal": seal, "baseline": baseline}
    sizes = {name: len(run()) for name, run in runs.items()}  # warm up: imports, key, font
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _round in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    peaks = {}
    for name, run in runs.items():
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        result = run()
        peaks[name] = tracemalloc.get_traced_memory()[1] - before
        del result
        tracemalloc.stop()
    best = {name: min(values) for name, values in times.items()}
    return {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.processor() or platform.machine(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "pdf_bytes": len(data),
        "repeat": repeat,
        "output_bytes": sizes,
        "seconds_best": {k: round(v, 4) for k, v in best.items()},
        "seconds_all": {k: [round(v, 4) for v in vs] for k, vs in times.items()},
        "peak_growth_bytes": peaks,
        "time_ratio": round(best["seal"] / best["baseline"], 3),
        "memory_ratio": round(peaks["seal"] / peaks["baseline"], 3),
    }


def write_results(report: dict) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = BENCH / "results" / f"seal-{stamp}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    mb = report["pdf_bytes"] / 1e6
    best, peaks = report["seconds_best"], report["peak_growth_bytes"]
    lines = [
        MARK_START,
        f"## Seal — a {mb:.1f} MB PDF (`bench/results/{out.name}`, {report['started']})",
        "",
        f"Written by `bench/seal.py`; best of {report['repeat']} alternating runs; load average "
        f"before {report['load_average']}. *seal*: `sealing.seal_pdf` (PAdES, visible stamp "
        "with the verify code, no timestamp); *baseline*: pyHanko's minimal example "
        "(`signers.sign_pdf`, same signer, no stamp), in the same process. Memory: tracemalloc "
        "peak growth during one call.",
        "",
        "| | seal | baseline | seal ÷ baseline |",
        "|---|---:|---:|---:|",
        f"| time s | {best['seal']} | {best['baseline']} | {report['time_ratio']} |",
        f"| memory growth MB | {peaks['seal'] / 1e6:.1f} | {peaks['baseline'] / 1e6:.1f} | "
        f"{report['memory_ratio']} |",
        MARK_END,
    ]
    write_section(BENCH / "RESULTS.md", lines, MARK_START, MARK_END)
    print(f"written: {out.relative_to(ROOT)}, bench/RESULTS.md")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=10, help="size of the PDF in MB (pages)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    setup_django()
    report = measure(args.mb, args.repeat)
    print(json.dumps(report, indent=1))
    if not args.no_write:
        write_results(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
