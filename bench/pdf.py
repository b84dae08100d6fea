"""PDF benchmark (issue 5): the time to make the PDF of a completed 60-question questionnaire,
as a ratio to a baseline measured in the same run.

Usage (from the project folder)::

    .venv/bin/python bench/pdf.py                 # 60 questions, best of 10
    .venv/bin/python bench/pdf.py --questions 200 --repeat 5

What is measured (in this process, no database: the action is an unsaved model instance):

questionnaire
    ``portal.questionnaires.pdf.render_pdf`` for a questionnaire of QUESTIONS questions of every
    type on pages of 10, with answers (long texts and names like "Zoë Łukasz Øystein Ğül"),
    rendered with fpdf2 and the bundled DejaVu Sans (font loading and subsetting included, as
    in the task that makes it).
baseline
    fpdf2 making a one-line A4 PDF with the same bundled font (``pdf.new_document``): the fixed
    cost of fpdf2 and the font, measured the same way.
baseline, core font
    fpdf2 making a one-line PDF with its built-in Helvetica (no font file), for reference.

Times are the best of ``--repeat`` runs, in seconds. Goal (issue 5): under 1 s on this machine.
Results go to bench/results/pdf-<timestamp>.json and a summary is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
NAME = "Zoë Łukasz Øystein Ğül"


def setup_django() -> None:
    sys.path.insert(0, str(PROJECT_DIR / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="kp-bench-pdf-"))
    import django

    django.setup()


def questionnaire(questions: int):
    from django.utils import timezone

    from portal.accounts.models import User
    from portal.dossiers.models import Dossier
    from portal.questionnaires.models import Action, QuestionKind

    kinds = list(QuestionKind)
    pages, answers = [], {}
    for start in range(0, questions, 10):
        rows = []
        for i in range(start, min(start + 10, questions)):
            kind = kinds[i % len(kinds)]
            key = f"q{i}"
            choices = [
                {"value": str(c), "label": {"nl": f"Keuze {c}", "en": f"Choice {c}"}}
                for c in range(4)
            ]
            rows.append(
                {
                    "key": key,
                    "kind": kind,
                    "text": {"nl": f"Vraag {i + 1}: {kind.label} over de levering van de woning?"},
                    "help": {"nl": ""},
                    "required": True,
                    "choices": choices,
                }
            )
            answers[key] = {
                QuestionKind.SHORT_TEXT: NAME,
                QuestionKind.LONG_TEXT: ("Sleutels bij de makelaar. " * 12).strip(),
                QuestionKind.NUMBER: "425000.5",
                QuestionKind.DATE: "2026-07-01",
                QuestionKind.YES_NO: "yes",
                QuestionKind.SINGLE_CHOICE: "2",
                QuestionKind.MULTIPLE_CHOICE: ["0", "1", "3"],
                QuestionKind.EMAIL: "zoe@example.test",
                QuestionKind.PHONE: "+31 6 12345678",
                QuestionKind.IBAN: "NL91 ABNA 0417 1643 00",
            }[kind]
        pages.append({"title": {"nl": f"Pagina {start // 10 + 1}"}, "questions": rows})
    return Action(
        pk=1,
        kind=Action.Kind.QUESTIONNAIRE,
        title_nl="Vragenlijst levering woning",
        snapshot={"title": {"nl": "Vragenlijst levering woning"}, "pages": pages},
        answers=answers,
        dossier=Dossier(number="2026.0142", description="Levering woning Dorpsstraat 12"),
        completed_by=User(full_name=NAME, email="zoe@example.test"),
        completed_at=timezone.now(),
    )


def best_of(repeat: int, fn) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(fn())
        times.append(time.perf_counter() - start)
    return min(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    setup_django()
    from django.utils.translation import override
    from fpdf import FPDF

    from portal.questionnaires.pdf import FONT, new_document, render_pdf

    action = questionnaire(args.questions)

    def baseline() -> bytes:
        pdf = new_document()
        pdf.add_page()
        pdf.set_font(FONT, "", 10)
        pdf.cell(text="Vragenlijst")
        return bytes(pdf.output())

    def baseline_core() -> bytes:
        pdf = FPDF(format="A4")
        pdf.add_page()
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(text="Vragenlijst")
        return bytes(pdf.output())

    def full() -> bytes:
        with override("nl"):
            return render_pdf(action, language="nl")

    full()  # warm up imports and caches once, as a running worker would have them
    seconds, size = best_of(args.repeat, full)
    base, base_size = best_of(args.repeat, baseline)
    core, _ = best_of(args.repeat, baseline_core)
    result = {
        "benchmark": "questionnaire pdf",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "questions": args.questions,
        "repeat": args.repeat,
        "questionnaire_seconds": round(seconds, 4),
        "questionnaire_bytes": size,
        "baseline_seconds": round(base, 4),
        "baseline_bytes": base_size,
        "baseline_core_font_seconds": round(core, 4),
        "ratio_to_baseline": round(seconds / base, 2),
        "goal_seconds": 1.0,
        "goal_met": seconds < 1.0,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS_DIR / f"pdf-{stamp}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"PDF of {args.questions} questions: {seconds:.3f} s ({size // 1024} KiB); "
        f"baseline one line, same font: {base:.3f} s; ratio {seconds / base:.2f}; "
        f"core-font one line: {core:.4f} s; goal < 1 s: {'met' if seconds < 1 else 'NOT met'}"
    )
    print(f"written: {out.relative_to(PROJECT_DIR)}")


if __name__ == "__main__":
    main()
