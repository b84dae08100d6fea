from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Client, User
from portal.documents.models import Document
from portal.dossiers.models import Dossier
from portal.offices.models import DossierStatus
from portal.questionnaires.models import QuestionnaireTemplate

from .queries import staff_members


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class DossierForm(forms.Form):
    number = forms.CharField(label=_("Dossier number"), max_length=50)
    description = forms.CharField(label=_("Description"), max_length=300)
    status = forms.ModelChoiceField(label=_("Status"), queryset=DossierStatus.objects.all())
    handler = forms.ModelChoiceField(
        label=_("Handler"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["handler"]).queryset = staff_members()

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if Dossier.objects.filter(number__iexact=number).exists():
            raise forms.ValidationError(_("A dossier with this number exists already."))
        return number


class DossierEditForm(DossierForm):
    number = None  # type: ignore[assignment]


class HoldForm(forms.Form):
    """R-RET-1: a legal hold needs its reason."""

    reason = forms.CharField(
        label=_("Reason for the hold"),
        max_length=500,
        help_text=_("Nothing of this dossier is removed while the hold stands."),
    )


class GrantForm(forms.Form):
    client: Client  # the account's client, once the form is valid
    email = forms.EmailField(
        label=_("E-mail address of the client's account"),
        help_text=_("Any account of the client; a company's accounts share its dossiers."),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email, client__isnull=False).first()
        if user is None or user.client is None:
            raise forms.ValidationError(_("No client account has this e-mail address."))
        self.client = user.client
        return email


TITLE_LENGTH = cast(int, Document._meta.get_field("title").max_length)  # a CharField's


def numbered_title(title: str, n: int, total: int) -> str:
    return _("%(title)s (%(n)d of %(total)d)") % {"title": title, "n": n, "total": total}


class PublishForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Publish as"),
        choices=[
            (Document.Kind.CORRESPONDENCE, _("Correspondence")),
            (Document.Kind.DOCUMENT, _("Document")),
        ],
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=TITLE_LENGTH,
        help_text=_(
            "Optional; without a title each file is shown under its file name. With several "
            "files the title is numbered: “Title (1 of 2)”, “Title (2 of 2)”."
        ),
    )

    def __init__(self, *args: Any, file_count: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.file_count = file_count

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if title and self.file_count > 1:
            longest = len(numbered_title(title, self.file_count, self.file_count))
            if longest > TITLE_LENGTH:
                raise forms.ValidationError(
                    _(
                        "With %(n)d files the title is numbered and may be at most "
                        "%(limit)d characters long; it is %(length)d."
                    )
                    % {
                        "n": self.file_count,
                        "limit": TITLE_LENGTH - (longest - len(title)),
                        "length": len(title),
                    }
                )
        return title

    def titles(self) -> list[str]:
        """One title per file, in the order of the files: the title as typed for one file,
        numbered for several, empty (the file name is used) without a title."""
        title = self.cleaned_data["title"]
        if not title or self.file_count == 1:
            return [title] * self.file_count
        return [numbered_title(title, n, self.file_count) for n in range(1, self.file_count + 1)]


class ClientForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Client.Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Name (person or company)"), max_length=200)
    full_name = forms.CharField(
        label=_("Name of the contact person"),
        max_length=200,
        required=False,
        help_text=_("For a company: the person who uses the main account."),
    )
    email = forms.EmailField(label=_("E-mail address"))
    language = forms.ChoiceField(label=_("Language"), choices=User.Language.choices)
    reference = forms.CharField(label=_("Reference"), max_length=64, required=False)
    invite = forms.BooleanField(label=_("Send the invitation now"), required=False, initial=True)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address exists already."))
        return email


class AccountForm(forms.Form):
    full_name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"))
    language = forms.ChoiceField(label=_("Language"), choices=User.Language.choices)

    clean_email = ClientForm.clean_email


class QuestionnaireForm(forms.Form):
    # Both action forms are on the dossier page and both have a "client" field: the prefixes
    # keep their ids (and so their labels) apart.
    prefix = "questionnaire"
    template = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=QuestionnaireTemplate.objects.all()
    )
    client = forms.TypedChoiceField(label=_("Client"), coerce=int)

    def __init__(self, *args: Any, clients: Iterable[Client] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["client"]).choices = [(c.pk, c.name) for c in clients]


class UploadRequestForm(forms.Form):
    prefix = "upload"
    client = forms.TypedChoiceField(label=_("Client"), coerce=int)
    title_nl = forms.CharField(label=_("What is asked (Dutch)"), max_length=200)
    title_en = forms.CharField(label=_("What is asked (English)"), max_length=200, required=False)
    description_nl = forms.CharField(
        label=_("Explanation (Dutch)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, clients: Iterable[Client] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["client"]).choices = [(c.pk, c.name) for c in clients]


class ApprovalRequestForm(forms.Form):
    """R-SIG-4: ask one or more of the dossier's clients to approve a published document."""

    prefix = "approval"
    document = forms.TypedChoiceField(label=_("Document"), coerce=int)
    clients = forms.TypedMultipleChoiceField(
        label=_("Clients"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each client chosen answers for itself."),
    )
    due_date = forms.DateField(
        label=_("Answer by (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # No max_length here: the browser would cut a longer paste; the service refuses it instead.
    explanation = forms.CharField(
        label=_("Explanation (Dutch)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("At most 2000 characters."),
    )

    def __init__(
        self,
        *args: Any,
        clients: Iterable[Client] = (),
        documents: Iterable[Document] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["clients"]).choices = [(c.pk, c.name) for c in clients]
        cast(forms.ChoiceField, self.fields["document"]).choices = [
            (d.pk, f"{d.title} ({d.original_name})") for d in documents
        ]
