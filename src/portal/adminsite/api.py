"""API tokens and webhooks in the admin (R-OFF-6), through ``api.services``: a token's or an
endpoint's secret is shown once, right after saving or rotating; tokens are revoked, never
edited; deliveries are a log, read only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.adminsite.base import ConfigurationAdmin, ReadOnlyAdmin
from portal.integrations import services
from portal.integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint


@admin.register(ApiToken)
class ApiTokenAdmin(ConfigurationAdmin):
    list_display = ["name", "prefix", "acting_user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    fields = [
        "name",
        "acting_user",
        "may_configure",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a token is never edited: revoke it and create a new one
            return ["name", "acting_user", "may_configure", *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        raw = services.create_token(token=obj, by=request.user)
        self.message_user(
            request,
            format_html(
                "{}<br><code>{}</code>",
                _("Copy the token now: it is shown only this once."),
                raw,
            ),
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        tokens = [
            token
            for token in queryset.filter(revoked_at__isnull=True)
            if services.revoke_token(token=token, by=request.user)
        ]
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", len(tokens))
            % {"n": len(tokens)},
        )

    def has_delete_permission(self, request, obj=None):
        return False  # revoked tokens stay, for the audit trail


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ConfigurationAdmin):
    list_display = ["url", "active", "created_at", "previous_secret_expires_at"]
    fields = ["url", "active", "events", "previous_secret_expires_at"]
    readonly_fields = ["previous_secret_expires_at"]
    actions = ["rotate_secret"]
    # A receiver typed without a scheme is https (Django 6's default; webhooks are signed but
    # their payload should not cross the network in clear).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        services.save_webhook(endpoint=obj, by=request.user, fields=form.changed_data)
        if not change:
            self.message_user(
                request,
                format_html(
                    "{}<br><code>{}</code>",
                    _("The signing secret, shown only this once:"),
                    obj.secret,
                ),
                messages.WARNING,
            )

    def has_delete_permission(self, request, obj=None):
        return False  # switched off ("active"), not deleted: its deliveries stay

    @admin.action(description=_("Rotate the signing secret"))
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            secret = services.rotate_webhook_secret(endpoint=endpoint, by=request.user)
            if endpoint.previous_secret_expires_at:
                until = formats.date_format(
                    timezone.localtime(endpoint.previous_secret_expires_at), "DATETIME_FORMAT"
                )
                note = _(
                    "New signing secret for %(url)s, shown only this once; the previous one "
                    "also signs until %(until)s:"
                ) % {"url": endpoint.url, "until": until}
            else:
                note = _(
                    "New signing secret for %(url)s, shown only this once; the previous one no "
                    "longer signs:"
                ) % {"url": endpoint.url}
            self.message_user(
                request, format_html("{}<br><code>{}</code>", note, secret), messages.WARNING
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event", "endpoint", "attempts", "last_status", "delivered_at"]
    list_filter = ["event", ("delivered_at", admin.EmptyFieldListFilter)]
    readonly_fields = [
        "endpoint",
        "event",
        "payload",
        "attempts",
        "last_status",
        "last_error",
        "created_at",
        "delivered_at",
    ]
