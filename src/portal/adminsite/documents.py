"""Staff publish correspondence and documents in the admin for now (R-OFF-3), through
``services.publish_document`` like every other path."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.adminsite.base import ConfigurationAdmin
from portal.documents import services
from portal.documents.models import Document
from portal.documents.uploads import UploadRejected
from portal.documents.views import file_response


class PublishForm(forms.ModelForm):
    upload = forms.FileField(label=_("File"))

    class Meta:
        model = Document
        fields = ["dossier", "kind", "title"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["kind"].choices = [
            (k.value, k.label) for k in (Document.Kind.CORRESPONDENCE, Document.Kind.DOCUMENT)
        ]
        self.fields["title"].required = False
        self.published: Document | None = None

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if self.errors or upload is None:
            return cleaned
        # Publishing happens here, inside the admin's transaction, so that a refused file
        # (type, size, malware) is reported on the form and nothing is stored.
        try:
            self.published = services.publish_document(
                dossier=cleaned["dossier"],
                kind=cleaned["kind"],
                title=cleaned.get("title") or "",
                file=upload,
                name=upload.name,
                by=self.request.user,
            )
        except UploadRejected as exc:
            self.add_error("upload", str(exc))
        return cleaned


ADD_FIELDS = ["dossier", "kind", "title", "upload"]
# Shown, never edited, once a document is published.
DETAIL_FIELDS = ["original_name", "size", "content_type", "sha256", "uploaded_by", "created_at"]


@admin.register(Document)
class DocumentAdmin(ConfigurationAdmin):
    list_display = [
        "title",
        "dossier",
        "kind",
        "original_name",
        "size",
        "uploaded_by",
        "created_at",
        "download_link",
    ]
    list_filter = ["kind", ("dossier", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "original_name", "dossier__number"]
    list_select_related = ["dossier", "uploaded_by"]
    autocomplete_fields = ["dossier"]
    readonly_fields = ["dossier", "kind", *DETAIL_FIELDS, "message", "download_link"]
    fields = ["dossier", "kind", "title", *DETAIL_FIELDS, "message", "download_link"]

    @admin.display(description=_("download"))
    def download_link(self, obj: Document):
        url = reverse("admin:documents_document_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def get_urls(self):
        download = self.admin_site.admin_view(self.download_view)
        return [
            path("<int:pk>/download/", download, name="documents_document_download"),
            *super().get_urls(),
        ]

    def download_view(self, request: HttpRequest, pk: int) -> FileResponse:
        """R-OFF-4: staff download any document of the office, e.g. a client's upload; the
        download is recorded in the audit trail like a client's."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        document = get_object_or_404(Document.objects.select_related("dossier"), pk=pk)
        return file_response(request, document)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            form = PublishForm

            class RequestPublishForm(form):
                def __init__(self, *args, **kw):
                    super().__init__(*args, request=request, **kw)

            kwargs["form"] = RequestPublishForm
            kwargs["fields"] = ADD_FIELDS
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        return self.fields if obj else ADD_FIELDS

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        published = form.published
        obj.pk = published.pk
        obj.__dict__.update({k: v for k, v in published.__dict__.items() if k != "_state"})
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Nothing published is lost: documents are not deleted from the admin.
        return False
