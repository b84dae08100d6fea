"""The PDF of a completed questionnaire (R-Q-4): fpdf2 with the bundled DejaVu Sans, so that
any name ("Zoë Łukasz Øystein Ğül") renders on a fresh machine without system fonts; and
``store_pdf``, which the tasks run, supplies it to the dossier at most once."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, cast

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.documents import services as document_services
from portal.documents.models import Document
from portal.offices.models import Office

from .models import Action, pick
from .presentation import answer_rows

if TYPE_CHECKING:
    from fpdf import FPDF

# fontTools logs every font subset at INFO: one screen of lines per PDF.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"


def new_document() -> FPDF:
    # fpdf2 (with fontTools and Pillow) takes over a second to import: only a process that makes
    # a PDF pays for it, not every web worker that imports the questionnaire services.
    from fpdf import FPDF  # noqa: PLC0415

    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    return pdf


def render_pdf(action: Action, *, language: str) -> bytes:
    """The answers of ``action``, page by page, in ``language`` (call under ``override``)."""
    pdf = new_document()
    # The office the answers were given to (R-TEN-2): the questionnaire's, in whose scope the
    # task runs.
    office = Office.current()
    pdf.set_title(pick(action.snapshot.get("title"), language))
    pdf.set_author(office.name)
    pdf.set_creator("Klantportaal")
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(width, 5.5, office.name)
    pdf.ln(2)
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


def pdf_file_name(action: Action) -> str:
    title = slugify(action.title_nl) or "vragenlijst"
    return f"{title}-{action.pk}.pdf"


def store_pdf(action_pk: int) -> int | None:
    """Make the PDF of a completed questionnaire and supply it to its dossier, at most once:
    the row is locked and an existing PDF is kept (a unique one-to-one link as well).
    Returns the document's pk."""
    with transaction.atomic():
        action = (
            # Lock the action's row only ("of self"): PostgreSQL refuses FOR UPDATE on the
            # nullable side of the outer join to completed_by.
            Action.objects.select_for_update(of=("self",))
            .select_related("dossier", "completed_by")
            .filter(pk=action_pk, kind=Action.Kind.QUESTIONNAIRE)
            .first()
        )
        if action is None or action.is_open:
            return None
        if action.pdf_document_id is not None:
            return action.pdf_document_id
        language = getattr(action.completed_by, "language", None) or "nl"
        with override(language):
            content = render_pdf(action, language=language)
            title = fit_title(_("Questionnaire: %(title)s") % {"title": action.title})
        document = document_services.supply_document(
            dossier=action.dossier,
            file=ContentFile(content),
            title=title,
            name=pdf_file_name(action),
            by=action.completed_by,
            seal=True,  # R-SIG-1: a PDF the portal makes carries the office's seal
        )
        action.pdf_document = document
        action.save(update_fields=["pdf_document", "updated_at"])
    return document.pk


def fit_title(title: str) -> str:
    """A document title made here from longer texts (the request's or questionnaire's title, a
    file name): past the title's length it ends in "…", visibly shortened. The file name itself
    is kept whole (``Document.original_name``) and shown under the title."""
    limit = cast(int, Document._meta.get_field("title").max_length)  # a CharField's
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
