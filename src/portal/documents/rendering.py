"""Rendering a document's preview (R-SIG-3), run by the Celery task ``tasks.render_preview``.

The file is copied from private storage (local or S3) to a temporary folder, rendered by
``render.py`` in a child process with limits (time, memory, pages, pixels per page), and the
page images are stored back in private storage under the preview's folder. Whatever the file
does to the renderer (malformed, hostile, enormous), the worker only sees a child that failed:
the preview is marked failed with a code, the client reads that it cannot be viewed and may
download it instead.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File

from .models import DocumentPreview

log = logging.getLogger(__name__)

RENDERER = Path(__file__).with_name("render.py")
# Render scale: PDF points (1/72 inch) to pixels at 144 dpi; the viewer's 100% is 96 dpi, so
# the images stay sharp up to 150%.
SCALE = 2.0
MAX_SIDE = 2400  # a photo's longest side, in pixels
MAX_SOURCE_PIXELS = 60_000_000  # a photo larger than this is refused (decompression bombs)
OUTPUT_MB = 64  # most bytes the renderer may write to one file
CHILD_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1"}


def run_renderer(kind: str, source: Path, target: Path) -> dict[str, Any]:
    """Run ``render.py`` on ``source`` in a limited child process; its answer, or
    ``{"error": "timeout" | "crashed" | ...}``."""
    job = {
        "kind": kind,
        "source": str(source),
        "target": str(target),
        "max_pages": settings.PREVIEW_MAX_PAGES,
        "max_pixels": settings.PREVIEW_MAX_PIXELS,
        "scale": SCALE,
        "max_side": MAX_SIDE,
        "max_source_pixels": MAX_SOURCE_PIXELS,
        "memory_mb": settings.PREVIEW_MEMORY_MB,
        "cpu_seconds": settings.PREVIEW_TIMEOUT,
        "output_mb": OUTPUT_MB,
    }
    try:
        # -I: isolated (no PYTHONPATH, no user site, not the current folder); the child needs
        # only the standard library, pypdfium2 and Pillow.
        done = subprocess.run(  # noqa: S603 - our own interpreter and script, no shell
            [sys.executable, "-I", str(RENDERER), json.dumps(job)],
            capture_output=True,
            # Nothing of the worker's environment (database URL, keys) for a process that
            # reads hostile files; no open descriptors either (close_fds, the default).
            env=CHILD_ENV,
            timeout=settings.PREVIEW_TIMEOUT,
            check=False,
            cwd=target,
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        return {"error": "timeout"}
    lines = done.stdout.decode(errors="replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else {}
    except ValueError:
        answer = {}
    if not isinstance(answer, dict) or not ("pages" in answer or "error" in answer):
        # Killed by a limit (SIGXCPU, SIGKILL), aborted by pdfium (out of memory), a crash.
        return {"error": "crashed", "detail": f"exit {done.returncode}"}
    return answer


def _fail(preview: DocumentPreview, code: str, detail: str = "") -> str:
    log.warning("Preview of document %s not made: %s %s", preview.document_id, code, detail or "")
    DocumentPreview.objects.filter(pk=preview.pk).update(
        status=DocumentPreview.Status.FAILED, error=code[:100]
    )
    return DocumentPreview.Status.FAILED


def render(preview_pk: int) -> str:
    """Render a pending preview and store its pages; returns the new status. Idempotent: a
    preview that is no longer pending is left alone."""
    preview = DocumentPreview.objects.select_related("document").filter(pk=preview_pk).first()
    if preview is None or preview.status != DocumentPreview.Status.PENDING:
        return preview.status if preview else ""
    document = preview.document
    kind = "pdf" if document.content_type == "application/pdf" else "image"
    storage = document.file.storage
    with tempfile.TemporaryDirectory(prefix="preview-") as folder:
        source = Path(folder) / "source"
        pages = Path(folder) / "pages"
        pages.mkdir()
        try:
            with document.file.open("rb") as stored, source.open("wb") as copy:
                shutil.copyfileobj(stored, copy, 1024 * 1024)
        except FileNotFoundError:
            return _fail(preview, "missing")
        answer = run_renderer(kind, source, pages)
        if "error" in answer:
            return _fail(preview, str(answer["error"]), str(answer.get("detail", "")))
        sizes = answer["pages"]
        for number in range(1, len(sizes) + 1):
            name = preview.page_name(number)
            storage.delete(name)  # a run interrupted before: same names, no "_a1b2" suffix
            with (pages / f"page-{number}.webp").open("rb") as image:
                storage.save(name, File(image))
    DocumentPreview.objects.filter(pk=preview.pk, status=DocumentPreview.Status.PENDING).update(
        status=DocumentPreview.Status.READY,
        page_count=len(sizes),
        source_pages=int(answer["source_pages"]),
        page_sizes=sizes,
        error="",
    )
    return DocumentPreview.Status.READY
