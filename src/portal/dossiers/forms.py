from django import forms
from django.utils.translation import gettext_lazy as _

SEARCH_MAX_LENGTH = 100


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
        label=_("Status"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s.pk, s.label) for s in statuses]
        self.fields["status"].error_messages["invalid_choice"] = _(
            "That status does not occur among your dossiers."
        )
