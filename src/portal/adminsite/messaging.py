"""Messages in the admin: read only, with the open/handled filter. Writing, answering and
marking handled are daily work, done in the workspace through ``messaging.services``."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.adminsite.base import ReadOnlyAdmin
from portal.messaging.models import Message


class OpenFilter(admin.SimpleListFilter):
    """R-OFF-4: what is new: client messages the office has not handled yet."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Waiting for the office")), ("handled", _("Handled"))]

    def queryset(self, request, queryset):
        outgoing = queryset.filter(direction=Message.Direction.OUTGOING)
        if self.value() == "open":
            return outgoing.filter(handled_at__isnull=True)
        if self.value() == "handled":
            return outgoing.filter(handled_at__isnull=False)
        return queryset


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "direction",
        "subject",
        "dossier",
        "author",
        "attachment_count",
        "state",
    ]
    list_filter = [OpenFilter, "direction", ("dossier", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["subject", "body", "dossier__number", "author__email"]
    list_select_related = ["dossier", "author", "handled_by"]
    date_hierarchy = "created_at"
    fields = [
        "dossier",
        "direction",
        "subject",
        "body",
        "author",
        "created_at",
        "reply_to",
        "handled_at",
        "handled_by",
        "attachment_links",
    ]
    readonly_fields = fields  # type: ignore[assignment]  # a flat list of names

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_attachments=Count("attachments"))

    @admin.display(description=_("attachments"), ordering="n_attachments")
    def attachment_count(self, obj: Message) -> int:
        return obj.n_attachments  # type: ignore[attr-defined]  # annotated by get_queryset

    @admin.display(description=_("state"))
    def state(self, obj: Message) -> str:
        if obj.is_incoming:
            return ""
        return gettext("Handled") if obj.handled_at else gettext("Waiting for the office")

    @admin.display(description=_("attachments"))
    def attachment_links(self, obj: Message):
        documents = obj.attachments.order_by("pk")
        return format_html_join(
            "",
            '<p><a href="{}">{}</a> ({})</p>',
            (
                (
                    reverse("admin:documents_document_download", args=[document.pk]),
                    document.original_name,
                    document.type_label,
                )
                for document in documents
            ),
        ) or format_html("<p>{}</p>", "—")
