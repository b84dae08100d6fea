import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class PortalPasswordRuleValidator:
    """R-ACC-2: at least 8 characters, at least 1 uppercase letter and at least 1 digit."""

    min_length = 8

    def validate(self, password: str, user=None) -> None:
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    _("The password must contain at least 8 characters."), code="password_too_short"
                )
            )
        if not re.search(r"[A-Z]", password):
            errors.append(
                ValidationError(
                    _("The password must contain at least 1 uppercase letter."),
                    code="password_no_upper",
                )
            )
        if not re.search(r"[0-9]", password):
            errors.append(
                ValidationError(
                    _("The password must contain at least 1 digit."), code="password_no_digit"
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "The password must contain at least 8 characters, of which at least 1 uppercase "
            "letter and 1 digit."
        )
