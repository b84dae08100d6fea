"""The verify page's form (R-SIG-2): the file comes from the hashing upload handler, not from
a form field, so only the code is a field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.documents.sealing import normalise_code


class VerifyForm(forms.Form):
    # Rendered and given errors here; the file itself is read by the hashing upload handler.
    file = forms.FileField(label=_("The file"), required=False)
    code = forms.CharField(
        label=_("Code on the document"),
        required=False,
        max_length=20,
        help_text=_("Eight letters and digits, for example K7QF-2M9X."),
    )

    def clean_code(self) -> str:
        text = self.cleaned_data.get("code", "").strip()
        if text and normalise_code(text) is None:
            raise forms.ValidationError(
                _("A code has eight letters and digits, for example K7QF-2M9X.")
            )
        return text

    @staticmethod
    def nothing_message() -> str:
        return gettext("Choose the file, or type the code printed on it.")
