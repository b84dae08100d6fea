"""The office's side of "Acties" for now (R-OFF-5): questionnaire templates with their pages
and questions in both languages; sending a questionnaire and asking for a document are the
"add" forms of two views on ``Action``, which call ``services.send_questionnaire`` and
``services.request_upload``. A sent questionnaire shows its answers and its PDF."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from portal.adminsite.base import ConfigurationAdmin, StackedInline
from portal.audit.services import record
from portal.documents.uploads import sanitise_filename
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


@admin.register(TemplatePage)
class TemplatePageAdmin(ConfigurationAdmin):
    list_display = ["title_nl", "template", "position"]
    list_filter = ["template"]
    fields = ["template", "position", "title_nl", "title_en"]
    inlines = [QuestionInline]

    def has_module_permission(self, request) -> bool:
        return False  # reached from a template's pages ("Change")


class SendForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["template", "dossier", "client"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["template"].required = True
        self.sent: Action | None = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.sent = services.send_questionnaire(
                template=cleaned["template"],
                dossier=cleaned["dossier"],
                client=cleaned["client"],
                by=self.request.user,
            )
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return cleaned


class RequestForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["dossier", "client", "title_nl", "title_en", "description_nl", "description_en"]
        labels = {
            "title_nl": _("document asked for (Dutch)"),
            "title_en": _("document asked for (English)"),
        }
        help_texts = {"title_nl": _("For example: Kopie legitimatiebewijs")}

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.sent: Action | None = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.sent = services.request_upload(
                dossier=cleaned["dossier"],
                client=cleaned["client"],
                title_nl=cleaned["title_nl"],
                title_en=cleaned.get("title_en") or "",
                description_nl=cleaned.get("description_nl") or "",
                description_en=cleaned.get("description_en") or "",
                by=self.request.user,
            )
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return cleaned


class ActionAdminBase(ConfigurationAdmin):
    kind: str = ""
    add_form: type[forms.ModelForm] = SendForm
    add_fields: list[str] = []
    list_display = ["title_nl", "dossier", "client", "status", "created_at", "completed_at"]
    list_filter = ["status"]
    search_fields = ["title_nl", "dossier__number", "client__name"]
    list_select_related = ["dossier", "client"]
    autocomplete_fields = ["dossier", "client"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind=self.kind)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            base = self.add_form

            class WithRequest(base):
                def __init__(self, *args, **kw):
                    super().__init__(*args, request=request, **kw)

            kwargs["form"] = WithRequest
            kwargs["fields"] = self.add_fields
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return self.detail_fields if obj else self.add_fields

    def get_readonly_fields(self, request, obj=None):
        return self.detail_fields if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing on a sent action is edited here
        sent = form.sent
        obj.pk = sent.pk
        obj.__dict__.update({k: v for k, v in sent.__dict__.items() if k != "_state"})
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SentQuestionnaire)
class SentQuestionnaireAdmin(ActionAdminBase):
    kind = Action.Kind.QUESTIONNAIRE
    add_form = SendForm
    add_fields = ["template", "dossier", "client"]
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
        document = action.pdf_document
        if document is None:
            raise Http404
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        record(
            "document.downloaded",
            actor=request.user,
            dossier=action.dossier,
            target=document.original_name,
            document=document.pk,
        )
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=sanitise_filename(document.original_name),
            content_type=document.content_type,
        )
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


@admin.register(UploadRequest)
class UploadRequestAdmin(ActionAdminBase):
    kind = Action.Kind.UPLOAD
    add_form = RequestForm
    add_fields = ["dossier", "client", "title_nl", "title_en", "description_nl", "description_en"]
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
