"""Render a PDF's pages, or a photo, to WebP images (R-SIG-3). Run only as a child process by
``portal.documents.previews``: ``python -I render.py '<json job>'``.

The file comes from a client or from the office and may be malformed or hostile. So this runs in
a process of its own that limits itself before opening it (address space, CPU seconds, size of
what it writes, no core dump); the parent adds a wall-clock timeout. A crash, a hang or an
out-of-memory here ends this process only, never the Celery worker. pypdfium2's pdfium has no
JavaScript engine (no V8), so a PDF's scripts cannot run. Its form environment is opened only
so that filled-in form fields are drawn: with no callbacks given, pdfium cannot open a URL,
submit a form or launch anything, and the document's open actions are never triggered (no
``FORM_DoDocumentOpenAction``/``FORM_DoDocumentJSAction``). The browser only ever gets the images
written here.

The job (JSON): ``kind`` ("pdf" or "image"), ``source`` (path), ``target`` (a folder),
``max_pages``, ``max_pixels`` (per page), ``scale`` (PDF points → pixels), ``max_side``
(pixels, photos), ``memory_mb``, ``cpu_seconds``. Writes ``page-<n>.webp`` and prints one JSON
line: ``{"pages": [[w, h], ...], "source_pages": n}`` or ``{"error": "<code>"}``, with
``peak_kib``, the most memory it used.

Imports nothing of the portal or Django: it starts fast and runs with the standard library,
pypdfium2 and Pillow alone.
"""

from __future__ import annotations

import json
import math
import resource
import sys
import warnings
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
from PIL import Image, ImageOps

WEBP_QUALITY = 82
# A page of text is smallest and sharpest as lossless WebP (about 120 KiB for an A4 page at
# 144 dpi, in a tenth of a second); a scanned page is not: over this size it is stored lossy.
LOSSLESS_LIMIT = 400 * 1024

# pdfium's own PDF errors, Pillow's "not an image" and its decompression-bomb error, a
# truncated file: the file cannot be shown.
MALFORMED = (
    pdfium.PdfiumError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,  # raised as an error above MAX_IMAGE_PIXELS
    OSError,
    ValueError,
    SyntaxError,
)


def limit(memory_mb: int, cpu_seconds: int, output_mb: int) -> None:
    """Limits of this process, set before the file is opened."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    output = output_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (output, output))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _save(image: Image.Image, path: Path, *, photo: bool = False) -> list[int]:
    """Re-encode as WebP from the pixels alone: no metadata (EXIF with its location, comments,
    ICC profiles) of the source is carried over."""
    clean = image.convert("RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB")
    clean.info = {}
    if not photo:
        clean.save(path, "WEBP", lossless=True, quality=80, method=0)
    if photo or path.stat().st_size > LOSSLESS_LIMIT:
        clean.save(path, "WEBP", quality=WEBP_QUALITY, method=0 if not photo else 2)
    return [clean.width, clean.height]


def peak_kib() -> int:
    """This process's peak resident size since it started (``VmHWM`` restarts at exec, unlike
    ``ru_maxrss``, which counts the parent it was forked from)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def render_pdf(job: dict[str, Any]) -> dict[str, Any]:
    target = Path(job["target"])
    pdf = pdfium.PdfDocument(job["source"])
    try:
        pdf.init_forms()  # draw filled-in form fields (before any page is loaded)
        total = len(pdf)
        if total < 1:
            raise ValueError("no pages")
        sizes = []
        for index in range(min(total, job["max_pages"])):
            page = pdf[index]
            try:
                width, height = page.get_size()
                if width <= 0 or height <= 0:
                    raise ValueError("empty page")
                # The pixel cap wins over the scale: a page of 5 × 5 metres stays a few MP.
                scale = min(job["scale"], math.sqrt(job["max_pixels"] / (width * height)))
                while math.ceil(width * scale) * math.ceil(height * scale) > job["max_pixels"]:
                    scale *= 0.99  # pdfium rounds the bitmap's sides up
                bitmap = page.render(scale=scale)
                sizes.append(_save(bitmap.to_pil(), target / f"page-{index + 1}.webp"))
                bitmap.close()
            finally:
                page.close()
        return {"pages": sizes, "source_pages": total}
    finally:
        pdf.close()


def render_image(job: dict[str, Any]) -> dict[str, Any]:
    Image.MAX_IMAGE_PIXELS = job["max_source_pixels"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(job["source"]) as opened:
            if opened.format not in ("JPEG", "PNG"):
                raise ValueError(f"not a photo: {opened.format}")
            opened.load()
            image = ImageOps.exif_transpose(opened)
    side = job["max_side"]
    image.thumbnail((side, side))
    page = _save(image, Path(job["target"]) / "page-1.webp", photo=True)
    return {"pages": [page], "source_pages": 1}


def main(argv: list[str]) -> int:
    job = json.loads(argv[1])
    limit(job["memory_mb"], job["cpu_seconds"], job["output_mb"])
    try:
        result = render_pdf(job) if job["kind"] == "pdf" else render_image(job)
    except MemoryError:
        result = {"error": "memory"}
    except MALFORMED as exc:
        result = {"error": "malformed", "detail": type(exc).__name__}
    result["peak_kib"] = peak_kib()
    print(json.dumps(result), flush=True)
    return 0 if "pages" in result else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
