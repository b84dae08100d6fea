"""The office reads and answers client messages in the admin for now (R-OFF-4); the staff
workspace comes later. Answers go through ``services.send_message`` like every other path."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.adminsite.base import ConfigurationAdmin
from portal.documents.upload_handlers import limit_upload_size
from portal.dossiers.models import Dossier
from portal.messaging import services, views
from portal.messaging.models import MAX_BODY_CHARS, Message


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


class DossierChoiceForm(forms.Form):
    dossier = forms.ModelChoiceField(
        label=_("Dossier"), queryset=Dossier.objects.order_by("-created_at")
    )


@admin.register(Message)
class MessageAdmin(ConfigurationAdmin):
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
    actions = ["mark_handled"]
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
    readonly_fields = fields
    change_form_template = "admin/messaging/message/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_attachments=Count("attachments"))

    @admin.display(description=_("attachments"), ordering="n_attachments")
    def attachment_count(self, obj: Message) -> int:
        return obj.n_attachments

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

    @admin.action(description=_("Mark as handled"))
    def mark_handled(self, request: HttpRequest, queryset) -> None:
        done = sum(
            services.mark_handled(message=message, by=request.user)
            for message in queryset.filter(direction=Message.Direction.OUTGOING)
        )
        self.message_user(request, gettext("%(n)d message(s) marked as handled.") % {"n": done})

    # Messages are sent, never edited or deleted (nothing is lost).
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        compose = self.admin_site.admin_view(
            limit_upload_size(
                self.compose_view,
                reach=lambda request, *args, **kwargs: self.has_add_permission(request),
            )
        )
        # "add/" comes before the admin's own add view: the upload size limit must be in place
        # before the body is read, which the admin's CSRF check would otherwise do first.
        return [
            path("add/", compose, name="messaging_message_add"),
            path("<int:reply_to>/answer/", compose, name="messaging_message_answer"),
            *super().get_urls(),
        ]

    def compose_view(self, request: HttpRequest, reply_to: int | None = None) -> HttpResponse:
        """A new message to a dossier's clients, or the answer to a client's message, with
        attachments (staged through the documents upload service, as on the client side)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        original = None
        if reply_to is not None:
            original = get_object_or_404(Message.objects.select_related("dossier"), pk=reply_to)
        dossier_form = DossierChoiceForm(
            request.POST if request.method == "POST" and original is None else None
        )
        if request.method == "POST":
            dossier = original.dossier if original else None
            if dossier is None and dossier_form.is_valid():
                dossier = dossier_form.cleaned_data["dossier"]
            if dossier is not None:
                compose = views.read_compose(request, dossier)
                if compose.ready:
                    message = views.send_composed(request, dossier, compose, original)
                    if message is not None:
                        self.message_user(
                            request, gettext("The message has been sent."), messages.SUCCESS
                        )
                        return HttpResponseRedirect(
                            reverse("admin:messaging_message_change", args=[message.pk])
                        )
            else:
                compose = views.Compose(views.MessageForm(request.POST))
                compose.form.is_valid()
        else:
            initial = {"subject": services.reply_subject(original.subject)} if original else {}
            compose = views.Compose(views.MessageForm(initial=initial))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Answer") if original else gettext("New message"),
            "original_message": original,
            "dossier_form": dossier_form if original is None else None,
            "compose": compose,
            "form": compose.form,
            "max_chars": MAX_BODY_CHARS,
        }
        return TemplateResponse(request, "admin/messaging/message/compose.html", context)
