"""The office's retention periods (R-RET-1): one row per office, made with the defaults when
first shown, changed through ``portal.retention.services`` (audited)."""

from typing import cast

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from portal.accounts.models import User
from portal.adminsite.base import ConfigurationAdmin
from portal.retention import services
from portal.retention.models import RetentionRules


@admin.register(RetentionRules)
class RetentionRulesAdmin(ConfigurationAdmin):
    list_display = [
        "__str__",
        "correspondence_months",
        "documents_months",
        "supplied_months",
        "messages_months",
        "answers_months",
    ]
    fields = [
        "correspondence_months",
        "documents_months",
        "supplied_months",
        "messages_months",
        "answers_months",
    ]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[RetentionRules]:
        services.rules()  # the office's row, with the defaults, before it is listed
        return super().get_queryset(request)

    def save_model(self, request: HttpRequest, obj: RetentionRules, form, change: bool) -> None:
        services.save_rules(rules=obj, fields=form.changed_data, by=cast(User, request.user))

    # One row per office: none added, none deleted (the periods are changed, never absent).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
