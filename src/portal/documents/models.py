"""Documents in a dossier (R-DOC-1..4): published by the office (correspondence, documents) or
supplied by the client. Files live in private storage under a random name; the user's file name
is kept only as data."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core import tenancy
from portal.core.scoping import OfficeManager, office_field


def storage_name(instance: Document | StagedUpload, filename: str) -> str:
    """Never the user's file name on disk: a random name without extension, under the office's
    own prefix (R-TEN-2: an office's files can be listed, exported or moved on their own).
    Files stored before, directly under ``documents/``, keep their names and keep working."""
    office_id = instance.office_id or tenancy.require_office_id()
    return f"office-{office_id}/documents/{uuid.uuid4().hex}"


class Document(models.Model):
    class Kind(models.TextChoices):
        CORRESPONDENCE = "correspondence", _("Correspondence")
        DOCUMENT = "document", _("Document")
        SUPPLIED = "supplied", _("Supplied by the client")

    office = office_field(verbose_name=_("office"))
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("file"), upload_to=storage_name, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.ForeignKey(
        "messaging.Message",
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        help_text=_("The message this file was attached to, if any."),
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    # R-OFF-4: when a staff member first opened (or marked seen) a client's file; the workspace
    # inbox lists supplied files without it (an indexed filter, not a scan of the read marks).
    office_seen_at = models.DateTimeField(_("seen by the office"), null=True, blank=True)

    objects = OfficeManager["Document"]()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            # A tab's documents newest first (ORDER BY created_at DESC, id DESC), read
            # backwards: the page of 50 stops after 50 rows instead of sorting the whole tab
            # with its read state first.
            models.Index(
                fields=["dossier", "kind", "created_at", "id"], name="documents_tab_newest"
            ),
            # The workspace inbox: client files no staff member has opened, oldest first.
            models.Index(
                fields=["created_at"],
                name="documents_unseen_supplied",
                condition=models.Q(kind="supplied", office_seen_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.content_type, self.content_type)

    @property
    def previewable(self) -> bool:
        """R-SIG-3: the portal can show it as page images (``documents:preview``)."""
        return self.content_type in PREVIEWABLE_TYPES


TYPE_LABELS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/heic": "HEIC",
    "image/heif": "HEIF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.oasis.opendocument.text": "OpenDocument",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument",
    "text/plain": "Tekst",
}


class DocumentRead(models.Model):
    """``user`` has opened or downloaded ``document`` (R-DOC-4): read for that user only."""

    office = office_field(verbose_name=_("office"))
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    objects = OfficeManager["DocumentRead"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="documents_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.document_id}"


class StagedUpload(models.Model):
    """A file a user uploaded for a message that is not sent yet (R-MSG-6).

    It has passed every check of ``check_upload`` and is stored under a random name, but belongs
    to no dossier's documents: nobody can download it. Sending the message turns it into a
    ``Document`` (same stored file, no copy) in the same transaction as the message; a staged
    file never sent is removed by ``services.remove_stale_uploads`` after
    ``settings.STAGED_UPLOAD_HOURS``.
    """

    office = office_field(verbose_name=_("office"))
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="staged_uploads"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staged_uploads"
    )
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.FileField(_("file"), upload_to=storage_name, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = OfficeManager["StagedUpload"]()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("staged upload")
        verbose_name_plural = _("staged uploads")

    def __str__(self) -> str:
        return self.original_name

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.content_type, self.content_type)


# R-SIG-3: what the portal can show as page images (a PDF's pages, a photo re-encoded).
PREVIEWABLE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


class DocumentPreview(models.Model):
    """The page images of a document, rendered on the server (R-SIG-3): nothing of the file
    itself reaches the browser. Made once, in a background task (``previews.render``); the
    images live in private storage under ``office-<id>/previews/<key>/page-<n>.webp`` and are
    served only by views that check access as the download does."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Cannot be shown")

    office = office_field(verbose_name=_("office"))
    document = models.OneToOneField(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="preview"
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Pages rendered, and pages the source has (more than rendered when over the page cap).
    page_count = models.PositiveIntegerField(_("pages"), default=0)
    source_pages = models.PositiveIntegerField(_("pages in the file"), default=0)
    # [width, height] in pixels of each page image, in page order (the viewer's img sizes).
    page_sizes = models.JSONField(default=list, blank=True)
    # Why rendering failed, for staff and the logs (a code, never shown to the client as such).
    error = models.CharField(_("error"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfficeManager["DocumentPreview"]()

    class Meta:
        verbose_name = _("document preview")
        verbose_name_plural = _("document previews")

    def __str__(self) -> str:
        return f"preview of {self.document_id} ({self.status})"

    @property
    def folder(self) -> str:
        return f"office-{self.office_id}/previews/{self.key.hex}"

    def page_name(self, number: int) -> str:
        """The storage name of page ``number`` (1-based)."""
        return f"{self.folder}/page-{number}.webp"
