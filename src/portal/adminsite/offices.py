from typing import cast

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.adminsite.base import ConfigurationAdmin
from portal.offices import services
from portal.offices.logos import clean_logo
from portal.offices.models import DossierStatus, Office


class OfficeForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = ["logo"]  # the admin adds the rest from its fieldsets

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):  # a new file (not the stored one, not "clear")
            return clean_logo(logo)
        return logo


@admin.register(Office)
class OfficeAdmin(ConfigurationAdmin):
    form = OfficeForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "email_sender", "primary_colour"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "website",
                    "phone",
                    "contact_email",
                    "email_sender",
                    "email_reply_to",
                    "sms_sender",
                ]
            },
        ),
        ("Branding", {"fields": ["logo", "primary_colour", "accent_colour"]}),
        (
            _("Accessibility statement"),
            {
                "fields": [
                    "accessibility_status",
                    "accessibility_statement_date",
                    "accessibility_evaluation_date",
                    "accessibility_method",
                    "accessibility_method_en",
                    "accessibility_known_issues",
                    "accessibility_known_issues_en",
                    "accessibility_email",
                    "accessibility_complaints",
                    "accessibility_complaints_en",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Office]:
        # Offices are no office data (no office column, no office manager): an office's
        # administrator sees and changes the request's office only, never another's.
        return super().get_queryset(request).filter(pk=Office.current().pk)

    def save_model(self, request: HttpRequest, obj: Office, form, change: bool) -> None:
        services.save_office(office=obj, fields=form.changed_data, by=cast(User, request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(DossierStatus)
class DossierStatusAdmin(ConfigurationAdmin):
    list_display = ["name", "name_en", "in_progress", "closes_dossier", "position"]
    list_editable = ["in_progress", "closes_dossier", "position"]
    ordering = ["position", "name"]

    def save_model(self, request, obj, form, change) -> None:
        services.save_status(status=obj, fields=form.changed_data, by=cast(User, request.user))

    def delete_model(self, request, obj) -> None:
        services.delete_status(status=obj, by=cast(User, request.user))

    def delete_queryset(self, request, queryset) -> None:
        for status in queryset:
            self.delete_model(request, status)

    def get_changelist_form(self, request, **kwargs):
        """The list's editable cells have no <label> (the column heading is not one): each
        control is named after its column and its row ("In behandeling: Wacht op stukken")."""
        base = super().get_changelist_form(request, **kwargs)

        class NamedCellsForm(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    field.widget.attrs["aria-label"] = f"{capfirst(field.label)}: {self.instance}"

        return NamedCellsForm
