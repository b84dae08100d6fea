from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_otp_webauthn.models import WebAuthnCredential

from portal.twofactor import services


class PasswordCheckMixin:
    """Asks for the account's password again (turning 2FA off, changing the number, …)."""

    # Provided by the form this is mixed into.
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def __init__(self, *args, user, ask_password: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if ask_password:
            self.fields["password"] = forms.CharField(
                label=_("Your password"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                help_text=_("For your security we ask for your password again."),
            )

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is incorrect."))
        return password


class MobileNumberForm(PasswordCheckMixin, forms.Form):
    number = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        help_text=_("For example 06-12345678 or +31 6 12345678."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_number(self) -> str:
        try:
            return services.parse_mobile(self.cleaned_data["number"])
        except ValueError:
            raise forms.ValidationError(
                _("This is not a valid mobile number. Enter it as 06-12345678 or +31 6 12345678.")
            ) from None


class PasswordForm(PasswordCheckMixin, forms.Form):
    pass


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class LoginCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class PasskeyNameForm(PasswordCheckMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the passkey"),
        # As long as the stored name (django-otp's device name): never cut off silently.
        max_length=WebAuthnCredential._meta.get_field("name").max_length,
        help_text=_("So you can tell your passkeys apart, for example “Phone” or “Laptop”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class PasskeyAnswerForm(forms.Form):
    """The browser's answer of a passkey ceremony (JSON, filled in by passkeys.js)."""

    answer = forms.CharField(widget=forms.HiddenInput, max_length=20_000)
