"""The forms of a questionnaire page, built from the frozen snapshot (R-Q-2), and the upload
form of an upload request. Validation per question type: date, number, e-mail, phone number
and IBAN (with its real mod-97 checksum)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from portal.messaging.text import normalise_newlines

from .models import QuestionKind, pick

YES, NO = "yes", "no"

# Lengths of IBANs of the countries a Dutch office meets most; others are checked on their
# checksum and on the general shape only.
IBAN_LENGTHS = {
    "NL": 18, "BE": 16, "DE": 22, "FR": 27, "GB": 22, "LU": 20, "ES": 24, "IT": 27, "AT": 20,
    "CH": 21, "DK": 18, "IE": 22, "PL": 28, "PT": 25, "SE": 24, "NO": 15, "FI": 18, "TR": 26,
}  # fmt: skip


def normalise_iban(value: str) -> str:
    return re.sub(r"[\s.-]", "", value or "").upper()


def iban_is_valid(value: str) -> bool:
    iban = normalise_iban(value)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban):
        return False
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97 == 1


def validate_iban(value: str) -> None:
    if not iban_is_valid(value):
        raise ValidationError(
            _("This is not a valid IBAN. Check the account number, e.g. NL91 ABNA 0417 1643 00."),
            code="iban",
        )


def format_iban(value: str) -> str:
    iban = normalise_iban(value)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def validate_phone(value: str) -> None:
    digits = re.sub(r"[\s().-]", "", value or "")
    ok = re.fullmatch(r"(\+|00)[1-9]\d{7,14}", digits) or re.fullmatch(r"0[1-9]\d{8}", digits)
    if not ok:
        raise ValidationError(
            _("This is not a valid phone number. Enter e.g. 06 12345678 or +31 6 12345678."),
            code="phone",
        )


class NumberField(forms.DecimalField):
    """A number with a decimal comma or point, whatever the language ("12,5" and "12.5")."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "")
            if "," in value and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


class IbanField(forms.CharField):
    default_validators = [validate_iban]

    def clean(self, value):
        value = super().clean(value)
        return format_iban(value) if value else value


class PhoneField(forms.CharField):
    default_validators = [validate_phone]


DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]

# The longest answers to a text question, in characters as the person sees them (a line break
# is one). Shown at the field and enforced with an error, never by cutting.
SHORT_TEXT_MAX_CHARS = 500
LONG_TEXT_MAX_CHARS = 5000


class TextAnswerField(forms.CharField):
    """A text answer with a visible limit: line breaks counted as one character (the browser
    submits CR LF), as the browser's ``maxlength`` counts them, and an error that says the
    limit and the length. ``show_limit`` tells the template to show "max. N tekens"."""

    show_limit = True

    def __init__(self, *, max_length: int, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {
                "max_length": _(
                    "An answer may have at most %(limit_value)d characters; this one has "
                    "%(show_value)d. Shorten it; it has not been saved yet."
                )
            },
        )
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_newlines(value)
        return super().to_python(value)


def make_field(question: dict, language: str | None = None) -> forms.Field:
    kind = question["kind"]
    common: dict[str, Any] = {
        "label": pick(question.get("text"), language),
        "help_text": pick(question.get("help"), language),
        "required": bool(question.get("required")),
    }
    if kind == QuestionKind.SHORT_TEXT:
        return TextAnswerField(max_length=SHORT_TEXT_MAX_CHARS, **common)
    if kind == QuestionKind.LONG_TEXT:
        return TextAnswerField(
            max_length=LONG_TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 5}), **common
        )
    if kind == QuestionKind.NUMBER:
        return NumberField(
            max_digits=18,
            decimal_places=4,
            localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            **common,
        )
    if kind == QuestionKind.DATE:
        return forms.DateField(
            input_formats=DATE_INPUT_FORMATS,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={"invalid": _("Enter a valid date, e.g. 2026-05-31.")},
            **common,
        )
    if kind == QuestionKind.YES_NO:
        return forms.ChoiceField(
            choices=[(YES, _("Yes")), (NO, _("No"))], widget=forms.RadioSelect, **common
        )
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        choices = [(c["value"], pick(c["label"], language)) for c in question.get("choices", [])]
        if kind == QuestionKind.SINGLE_CHOICE:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionKind.EMAIL:
        return forms.EmailField(max_length=254, **common)
    if kind == QuestionKind.PHONE:
        return PhoneField(max_length=30, widget=forms.TextInput(attrs={"type": "tel"}), **common)
    if kind == QuestionKind.IBAN:
        return IbanField(
            max_length=42, widget=forms.TextInput(attrs={"spellcheck": "false"}), **common
        )
    raise ValueError(f"Unknown question type {kind!r}")


def to_storage(value):
    """A cleaned value as stored in ``Action.answers`` (JSON)."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value)


class PageForm(forms.Form):
    """The questions of one page of the snapshot. Field names are the snapshot's keys."""

    def __init__(self, page: dict, *args, language: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        self.questions = {q["key"]: q for q in page.get("questions", [])}
        for key, question in self.questions.items():
            self.fields[key] = make_field(question, language)

    def describe(self) -> PageForm:
        """Link every input to its help text, its limit and its errors (``aria-describedby``)."""
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}_help")
            if getattr(field, "show_limit", False):
                ids.append(f"{bound.auto_id}_limit")
                field.widget.attrs["data-limit-counter"] = f"{bound.auto_id}_limit"
            if self.is_bound and bound.errors:
                ids.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
        return self

    def stored_answers(self) -> dict:
        """The valid answers, as stored."""
        return {key: to_storage(self.cleaned_data.get(key)) for key in self.questions}

    def over_long(self) -> list[str]:
        """The questions whose typed answer is longer than any answer to them may be (a text
        question's limit; for the others the longest text answer). Such an answer is neither
        stored nor cut: it stays on the page with its error."""
        keys = []
        for key, field in self.fields.items():
            if isinstance(field, forms.MultipleChoiceField):
                continue
            limit = getattr(field, "max_length", None) or LONG_TEXT_MAX_CHARS
            typed = normalise_newlines(str(self.data.get(self.add_prefix(key), "")))
            if len(typed.strip()) > limit:
                keys.append(key)
        return keys

    def raw_answers(self) -> dict:
        """What was typed, unvalidated ("Vorige" keeps it, nothing lost), whole: without the
        over-long answers (``over_long``), which keep what was stored before."""
        raw: dict[str, Any] = {}
        too_long = set(self.over_long())
        for key, field in self.fields.items():
            if key in too_long:
                continue
            if isinstance(field, forms.MultipleChoiceField):
                values = cast(QueryDict, self.data).getlist(self.add_prefix(key))  # a POST
                raw[key] = [str(v) for v in values]
            else:
                raw[key] = str(self.data.get(self.add_prefix(key), ""))
        return raw


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    # A declared field leaves the class namespace (the form metaclass): self.files stays the
    # uploaded files.
    files = MultipleFileField(label=_("Files"), required=False)  # type: ignore[assignment]
