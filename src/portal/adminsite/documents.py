"""Documents in the admin: read only, with a download (recorded in the audit trail like every
download). Publishing is daily work, done in the workspace through
``documents.services.publish_document``."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.adminsite.base import ReadOnlyAdmin
from portal.documents.models import Document
from portal.ui.files import file_response

DETAIL_FIELDS = ["original_name", "size", "content_type", "sha256", "uploaded_by", "created_at"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
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
    fields = ["dossier", "kind", "title", *DETAIL_FIELDS, "message", "download_link"]
    readonly_fields = fields  # type: ignore[assignment]  # a flat list of names

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
        """R-OFF-4: any document of the office, e.g. a client's upload; the download is
        recorded in the audit trail like a client's."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        document = get_object_or_404(Document.objects.select_related("dossier"), pk=pk)
        return file_response(request, document)
