"""A benchmark's own section of ``bench/RESULTS.md``, between its start and end markers: written
anew on each run, the rest of the file kept as it is."""

from __future__ import annotations

from pathlib import Path


def write_section(results: Path, lines: list[str], start: str, end: str) -> None:
    """Put ``lines`` (which begin with ``start`` and end with ``end``) in place of the section
    between those markers in ``results``, or append them when the file has none yet."""
    text = results.read_text() if results.exists() else ""
    section = "\n".join(lines) + "\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    results.write_text(text)
