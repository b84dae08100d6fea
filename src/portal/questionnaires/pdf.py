"""The PDF of a completed questionnaire (R-Q-4): fpdf2 with the bundled DejaVu Sans, so that
any name ("Zoë Łukasz Øystein Ğül") renders on a fresh machine without system fonts."""

from __future__ import annotations

import logging
from pathlib import Path

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import Action, pick
from .presentation import answer_rows

# fontTools logs every font subset at INFO: one screen of lines per PDF.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"


def new_document() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    return pdf


def render_pdf(action: Action, *, language: str) -> bytes:
    """The answers of ``action``, page by page, in ``language`` (call under ``override``)."""
    pdf = new_document()
    pdf.set_title(pick(action.snapshot.get("title"), language))
    pdf.set_creator("Klantportaal")
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(width, 8, pick(action.snapshot.get("title"), language))
    pdf.ln(2)
    pdf.set_font(FONT, "", 10)
    completed = timezone.localtime(action.completed_at) if action.completed_at else None
    lines = [
        _("Dossier: %(number)s %(description)s")
        % {"number": action.dossier.number, "description": action.dossier.description},
    ]
    if action.completed_by is not None:
        lines.append(_("Filled in by: %(name)s") % {"name": action.completed_by.get_full_name()})
    if completed is not None:
        lines.append(
            _("Completed on: %(date)s")
            % {"date": formats.date_format(completed, "DATETIME_FORMAT")}
        )
    for line in lines:
        pdf.multi_cell(width, 5.5, line)
    for page in answer_rows(action, language=language):
        pdf.ln(4)
        pdf.set_font(FONT, "B", 13)
        pdf.multi_cell(width, 7, page["title"])
        pdf.ln(1)
        for row in page["rows"]:
            pdf.set_font(FONT, "B", 10)
            pdf.multi_cell(width, 5.5, row["question"])
            pdf.set_font(FONT, "", 10)
            pdf.multi_cell(width, 5.5, row["answer"] or "—")
            pdf.ln(2)
    return bytes(pdf.output())
