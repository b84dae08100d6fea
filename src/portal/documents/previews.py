"""Viewing a document in the portal (R-SIG-3): its preview is made on first view, in the
background (``tasks.render_preview``), and kept; the viewer shows its page images. One path for
the client's pages and the workspace; the caller has checked access as for a download."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models import FileField
from django.db.models.signals import post_delete
from django.utils import timezone

from portal.accounts.models import User
from portal.audit.services import record

from . import tasks
from .models import Document, DocumentPreview
from .services import mark_read, note_office_seen


def _queue(preview_pk: int) -> None:
    # robust: with the broker down the preview stays pending and a later view queues it again.
    transaction.on_commit(partial(tasks.render_preview.delay, preview_pk), robust=True)


def _lost(preview: DocumentPreview) -> bool:
    """Pending for much longer than a render may take: its task was lost (broker down, a
    worker that died)."""
    limit = timedelta(seconds=3 * settings.PREVIEW_TIMEOUT + 60)
    return preview.status == DocumentPreview.Status.PENDING and (
        preview.updated_at < timezone.now() - limit
    )


def preview_for(document: Document) -> DocumentPreview | None:
    """The document's preview, queued for rendering when asked for the first time (or when its
    task was lost); None for a file that cannot be previewed (only PDFs and photos can).
    Select ``preview`` with the document to save a query."""
    if not document.previewable:
        return None
    try:
        preview: DocumentPreview | None = document.preview
    except DocumentPreview.DoesNotExist:
        preview = None
    if preview is None:
        try:
            with transaction.atomic():
                preview = DocumentPreview.objects.create(document=document)
        except IntegrityError:  # a parallel request made it first
            return DocumentPreview.objects.get(document=document)
        _queue(preview.pk)
    elif _lost(preview):
        preview.save(update_fields=["updated_at"])
        _queue(preview.pk)
    else:
        return preview
    # Without a broker the task ran in-process when the transaction committed.
    preview.refresh_from_db()
    return preview


def record_view(*, document: Document, user: User, page: int) -> None:
    """R-SIG-3, R-DOC-4: viewing a page is reading the document, as a download is; audited
    with the page."""
    mark_read(document=document, user=user)
    note_office_seen(document=document, user=user)
    record(
        "document.viewed",
        actor=user,
        dossier=document.dossier,
        target=document.original_name,
        document=document.pk,
        page=page,
    )


def open_page(preview: DocumentPreview, number: int) -> IO[bytes]:
    """Page ``number`` (1-based) of a ready preview, opened for reading. Raises
    ``FileNotFoundError`` for a page that is not there."""
    if preview.status != DocumentPreview.Status.READY or not 1 <= number <= preview.page_count:
        raise FileNotFoundError(number)
    return _storage().open(preview.page_name(number), "rb")


def _storage() -> Storage:
    """Where documents, and so their page images, are kept (the project's private storage)."""
    field = Document._meta.get_field("file")
    assert isinstance(field, FileField)
    return field.storage


def _remove_pages(sender: Any, instance: DocumentPreview, **kwargs: Any) -> None:
    """A preview removed (its document withdrawn or removed) takes its page images along, once
    the removal is committed."""
    storage = _storage()
    names = [instance.page_name(n) for n in range(1, instance.page_count + 1)]

    def remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


post_delete.connect(_remove_pages, sender=DocumentPreview, dispatch_uid="preview_pages_removed")
