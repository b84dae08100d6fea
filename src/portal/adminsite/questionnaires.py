"""Questionnaires in the admin (R-OFF-5): office administrators configure the questionnaire
templates with their pages and questions in both languages. Sent questionnaires and upload
requests are read only here (a sent questionnaire shows its answers and its PDF): sending them
is daily work, done in the workspace through ``questionnaires.services``."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal.adminsite.base import ConfigurationAdmin, ReadOnlyAdmin, StackedInline
from portal.questionnaires import services
from portal.questionnaires.models import (
    Action,
    QuestionnaireTemplate,
    SentQuestionnaire,
    TemplatePage,
    TemplateQuestion,
    UploadRequest,
)
from portal.questionnaires.presentation import answer_rows
from portal.ui.files import file_response


class PageInline(StackedInline):
    model = TemplatePage
    extra = 1
    fields = ["position", "title_nl", "title_en"]
    show_change_link = True


class QuestionInline(StackedInline):
    model = TemplateQuestion
    extra = 1
    fields = [
        ("position", "kind", "required"),
        ("text_nl", "text_en"),
        ("help_nl", "help_en"),
        ("choices_nl", "choices_en"),
    ]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 40})}
    }


@admin.register(QuestionnaireTemplate)
class QuestionnaireTemplateAdmin(ConfigurationAdmin):
    list_display = ["title_nl", "title_en", "updated_at"]
    search_fields = ["title_nl", "title_en"]
    fields = ["title_nl", "title_en", "intro_nl", "intro_en"]
    inlines = [PageInline]

    def save_model(self, request, obj, form, change) -> None:
        services.save_template(template=obj, by=request.user)

    def delete_model(self, request, obj) -> None:
        services.delete_template(template=obj, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for template in queryset:
            self.delete_model(request, template)


@admin.register(TemplatePage)
class TemplatePageAdmin(ConfigurationAdmin):
    list_display = ["title_nl", "template", "position"]
    list_filter = ["template"]
    fields = ["template", "position", "title_nl", "title_en"]
    inlines = [QuestionInline]

    def has_module_permission(self, request) -> bool:
        return False  # reached from a template's pages ("Change")

    def save_model(self, request, obj, form, change) -> None:
        # A page and its questions are part of their template: saved as a change of it.
        obj.save()
        services.save_template(template=obj.template, by=request.user)

    def delete_model(self, request, obj) -> None:
        obj.delete()
        services.save_template(template=obj.template, by=request.user)


class ActionAdminBase(ReadOnlyAdmin):
    kind: str = ""
    detail_fields: list[str] = []
    list_display = ["title_nl", "dossier", "client", "status", "created_at", "completed_at"]
    list_filter = ["status"]
    search_fields = ["title_nl", "dossier__number", "client__name"]
    list_select_related = ["dossier", "client"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=self.kind)

    def get_fields(self, request, obj=None):
        return self.detail_fields

    def get_readonly_fields(self, request, obj=None):
        return self.detail_fields


@admin.register(SentQuestionnaire)
class SentQuestionnaireAdmin(ActionAdminBase):
    kind = Action.Kind.QUESTIONNAIRE
    detail_fields = [
        "title_nl",
        "dossier",
        "client",
        "status",
        "sent_by",
        "created_at",
        "completed_by",
        "completed_at",
        "progress",
        "pdf",
        "answers_table",
    ]

    @admin.display(description=_("pages done"))
    def progress(self, obj: Action) -> str:
        return f"{len(obj.pages_done)} / {len(obj.pages)}"

    @admin.display(description=_("PDF"))
    def pdf(self, obj: Action):
        if obj.pdf_document_id is None:
            return "—"
        url = reverse("admin:questionnaires_sentquestionnaire_pdf", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download PDF"))

    @admin.display(description=_("answers"))
    def answers_table(self, obj: Action):
        parts = []
        for page in answer_rows(obj, language="nl"):
            rows = format_html_join(
                "",
                "<tr><th scope='row'>{}</th><td>{}</td></tr>",
                ((row["question"], row["answer"] or "—") for row in page["rows"]),
            )
            parts.append(format_html("<h3>{}</h3><table>{}</table>", page["title"], rows))
        return format_html_join("", "{}", ((part,) for part in parts))

    def get_urls(self):
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.download_pdf),
                name="questionnaires_sentquestionnaire_pdf",
            ),
            *super().get_urls(),
        ]

    def download_pdf(self, request, pk: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        action = get_object_or_404(self.get_queryset(request), pk=pk)
        if action.pdf_document is None:
            raise Http404
        return file_response(request, action.pdf_document)


@admin.register(UploadRequest)
class UploadRequestAdmin(ActionAdminBase):
    kind = Action.Kind.UPLOAD
    detail_fields = [
        "title_nl",
        "title_en",
        "dossier",
        "client",
        "status",
        "sent_by",
        "created_at",
        "completed_by",
        "completed_at",
        "files",
    ]

    @admin.display(description=_("supplied files"))
    def files(self, obj: Action):
        documents = obj.supplied_documents.all()
        if not documents:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:documents_document_change", args=[d.pk]), d.original_name)
                for d in documents
            ),
        )
