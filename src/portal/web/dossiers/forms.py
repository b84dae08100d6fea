from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

SEARCH_MAX_LENGTH = 100
# The status filter's value for "every status that counts as in progress": what the Home tile's
# "in behandeling" figure counts (R-HOME-2) and links to, whichever statuses the office flags.
IN_PROGRESS = "lopend"


def _status_value(value: str) -> int | str:
    return value if value == IN_PROGRESS else int(value)


class DossierFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search on description or dossier number"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        error_messages={
            "max_length": _("Use at most %(limit_value)d characters to search."),
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.TypedMultipleChoiceField(
        label=_("Status"),
        required=False,
        coerce=_status_value,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, statuses: Iterable[Any] = (), **kwargs: Any) -> None:
        """``statuses``: the statuses among the user's dossiers, each with ``dossier_count``
        (``queries.statuses_in_use``). Each option shows its number of dossiers, so the
        in-progress option's number visibly adds up from its statuses' numbers."""
        super().__init__(*args, **kwargs)
        in_progress = sum(s.dossier_count for s in statuses if s.in_progress)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (IN_PROGRESS, _count_label(_("All ongoing dossiers"), in_progress)),
            *((s.pk, _count_label(s.label, s.dossier_count)) for s in statuses),
        ]
        self.fields["status"].error_messages["invalid_choice"] = _(
            "That status does not occur among your dossiers."
        )

    def status_filter(self) -> tuple[bool, list[int]]:
        """(whether "all ongoing dossiers" is ticked, the status ids ticked)."""
        chosen = self.cleaned_data.get("status") or []
        return IN_PROGRESS in chosen, [value for value in chosen if value != IN_PROGRESS]


def _count_label(label, count: int):
    return format_lazy("{} ({})", label, count)
