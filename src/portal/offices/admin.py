from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from .models import DossierStatus, Office


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "email_sender", "primary_colour"]
    fieldsets = [
        (None, {"fields": ["name", "website", "phone", "email_sender"]}),
        ("Branding", {"fields": ["logo", "primary_colour", "accent_colour"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One office per deployment.
        return not Office.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(DossierStatus)
class DossierStatusAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "in_progress", "position"]
    list_editable = ["in_progress", "position"]
    ordering = ["position", "name"]
