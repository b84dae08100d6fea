"""Answers as shown to people: on the overview, the result page, the admin and in the PDF."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _

from .forms import NO, YES
from .models import Action, QuestionKind, pick


def display_answer(question: dict, value, language: str | None = None) -> str:
    if value in (None, "", []):
        return ""
    kind = question["kind"]
    if kind == QuestionKind.YES_NO:
        return {YES: _("Yes"), NO: _("No")}.get(value, str(value))
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        labels = {c["value"]: pick(c["label"], language) for c in question.get("choices", [])}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in values)
    if kind == QuestionKind.DATE:
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        except (TypeError, ValueError):
            return str(value)
    if kind == QuestionKind.NUMBER:
        try:
            return formats.localize(Decimal(value), use_l10n=True)
        except (InvalidOperation, TypeError):
            return str(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def answer_rows(action: Action, *, language: str | None = None) -> list[dict]:
    """Per page: its title, and per question the question and the answer as text."""
    pages = []
    for index, page in enumerate(action.pages):
        rows = [
            {
                "key": question["key"],
                "question": pick(question.get("text"), language),
                "answer": display_answer(question, action.answers.get(question["key"]), language),
            }
            for question in page.get("questions", [])
        ]
        pages.append(
            {
                "index": index,
                "number": index + 1,
                "title": pick(page["title"], language),
                "rows": rows,
            }
        )
    return pages
