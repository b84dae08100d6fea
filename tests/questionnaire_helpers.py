"""Building questionnaire templates for the tests of "Acties" (R-Q-1..4)."""

from __future__ import annotations

from portal.questionnaires.models import QuestionKind, QuestionnaireTemplate

# One question of every type, on two pages (the first four on page 1).
ALL_KINDS = [
    (QuestionKind.SHORT_TEXT, "Naam", "Name", True, ""),
    (QuestionKind.DATE, "Geboortedatum", "Date of birth", True, ""),
    (QuestionKind.EMAIL, "E-mailadres", "E-mail address", True, ""),
    (QuestionKind.PHONE, "Telefoonnummer", "Phone number", False, ""),
    (QuestionKind.IBAN, "IBAN", "IBAN", True, ""),
    (QuestionKind.NUMBER, "Koopsom", "Purchase price", False, ""),
    (QuestionKind.YES_NO, "Gehuwd?", "Married?", True, ""),
    (QuestionKind.SINGLE_CHOICE, "Burgerlijke staat", "Marital status", False, "Ongehuwd\nGehuwd"),
    (QuestionKind.MULTIPLE_CHOICE, "Roerende zaken", "Movables", False, "Gordijnen\nVloerkleden"),
    (QuestionKind.LONG_TEXT, "Opmerkingen", "Remarks", False, ""),
]


def make_template(pages: list[list[tuple]], title: str = "Vragenlijst levering woning"):
    """``pages``: per page a list of (kind, text_nl, text_en, required, choices_nl)."""
    template = QuestionnaireTemplate.objects.create(
        title_nl=title, title_en="Questionnaire house purchase", intro_nl="Vul alles in."
    )
    for p, questions in enumerate(pages, start=1):
        page = template.pages.create(position=p, title_nl=f"Pagina {p}", title_en=f"Page {p}")
        for n, (kind, text_nl, text_en, required, choices) in enumerate(questions):
            page.questions.create(
                position=n,
                kind=kind,
                text_nl=text_nl,
                text_en=text_en,
                help_nl=f"Toelichting bij {text_nl}",
                help_en=f"About {text_en}",
                required=required,
                choices_nl=choices,
                choices_en=choices.replace("Ongehuwd", "Unmarried").replace("Gehuwd", "Married"),
            )
    return template


def standard_template():
    return make_template([ALL_KINDS[:4], ALL_KINDS[4:]])


def sized_template(questions: int, per_page: int = 5):
    """``questions`` short text questions, ``per_page`` to a page."""
    rows = [
        (QuestionKind.SHORT_TEXT, f"Vraag {i}", f"Question {i}", False, "")
        for i in range(questions)
    ]
    return make_template([rows[i : i + per_page] for i in range(0, questions, per_page)])
