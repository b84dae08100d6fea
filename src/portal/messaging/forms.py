from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import MAX_SUBJECT_CHARS


class MessageForm(forms.Form):
    """Onderwerp and Bericht, both required (R-MSG-4); at most 4,000 characters (R-MSG-5)."""

    subject = forms.CharField(
        label=_("Subject"),
        max_length=MAX_SUBJECT_CHARS,
        error_messages={"required": _("Fill in a subject.")},
    )
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 10}),
        strip=False,
        error_messages={"required": _("Write your message.")},
    )

    def clean_subject(self) -> str:
        return services.clean_subject(self.cleaned_data["subject"])

    def clean_body(self) -> str:
        return services.clean_body(self.cleaned_data["body"])
