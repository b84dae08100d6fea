from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import MAX_SUBJECT_CHARS


class MessageForm(forms.Form):
    """Onderwerp and Bericht, both required (R-MSG-4); at most 4,000 characters (R-MSG-5).

    ``submission_key`` is a one-time key issued with each new form (hidden): sending the same
    form again stores no second message (``services.send_message``)."""

    subject = forms.CharField(
        label=_("Subject"),
        max_length=MAX_SUBJECT_CHARS,
        error_messages={
            "required": _("Fill in a subject."),
            "max_length": _(
                "A subject may have at most %(limit_value)d characters; this one has "
                "%(show_value)d. Shorten it and send it again."
            ),
        },
    )
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 10}),
        strip=False,
        error_messages={"required": _("Write your message.")},
    )
    submission_key = forms.CharField(
        required=False, initial=lambda: str(uuid.uuid4()), widget=forms.HiddenInput
    )

    def clean_submission_key(self) -> uuid.UUID | None:
        # A form without a key (or with a mangled one) is sent without the retry protection.
        try:
            return uuid.UUID(self.cleaned_data["submission_key"])
        except ValueError:
            return None

    def clean_subject(self) -> str:
        return services.clean_subject(self.cleaned_data["subject"])

    def clean_body(self) -> str:
        return services.clean_body(self.cleaned_data["body"])
