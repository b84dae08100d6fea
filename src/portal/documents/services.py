"""Document actions: one path for the admin, the client pages, the staff workspace and the API
(R-OFF-3, R-DOC-3, R-DOC-4, R-X-1, R-X-3)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from portal.accounts.models import User
from portal.accounts.roles import is_staff_member
from portal.audit.services import record
from portal.dossiers.models import Dossier
from portal.files.uploads import check_upload
from portal.offices.models import Office

from . import sealing
from .models import Document, DocumentRead, StagedUpload
from .signals import document_published, document_supplied

if TYPE_CHECKING:  # messaging sits above documents: its model for the signatures only
    from portal.messaging.models import Message

PUBLISHED_KINDS = {Document.Kind.CORRESPONDENCE, Document.Kind.DOCUMENT}


def _store(
    *,
    dossier: Dossier,
    kind: str,
    title: str,
    file: File[bytes],
    name: str | None,
    by: User | None,
    seal: bool = False,
) -> Document:
    checked = check_upload(file, name=name)  # raises UploadRejected: nothing is stored
    document = Document(
        dossier=dossier,
        kind=kind,
        title=(title or checked.name)[:200],
        original_name=checked.name,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    content: File[bytes] = checked.file
    if seal and checked.content_type == "application/pdf":
        # R-SIG-1: what is stored (and recorded by its SHA-256) is the sealed file, with the
        # document's verify code in its stamp. SealError (an UploadRejected): nothing stored.
        sealed = sealing.seal_pdf(
            checked.file.read(), office=cast(Office, dossier.office), code=document.verify_code
        )
        content = ContentFile(sealed)
        document.size = len(sealed)
        document.sha256 = hashlib.sha256(sealed).hexdigest()
    document.file.save("upload", content, save=False)
    return document


@contextmanager
def _removing_file_on_error(holder: Sequence[Document | StagedUpload]) -> Iterator[None]:
    """If the transaction fails after the file was written, remove the file again: an
    interrupted upload leaves neither a row nor an orphan file."""
    try:
        yield
    except BaseException:
        for document in holder:
            document.file.delete(save=False)
        raise


def _add(
    *,
    dossier: Dossier,
    kind: str,
    title: str,
    file: File[bytes],
    name: str | None,
    by: User | None,
    action: str,
    seal: bool = False,
) -> Document:
    """Check, store and record one document in one transaction; the file is removed again if
    the transaction fails. ``seal``: a PDF is stored sealed (R-SIG-1)."""
    stored: list[Document] = []
    with _removing_file_on_error(stored), transaction.atomic():
        document = _store(
            dossier=dossier, kind=kind, title=title, file=file, name=name, by=by, seal=seal
        )
        stored.append(document)
        document.save()
        _read_by_supplier(document, by)
        record(
            action,
            actor=by,
            dossier=dossier,
            target=document.original_name,
            document=document.pk,
            kind=kind,
            sha256=document.sha256,
            verify_code=document.verify_code,
        )
        if kind == Document.Kind.SUPPLIED:
            transaction.on_commit(
                lambda: document_supplied.send(sender=Document, document=document)
            )
    return document


def publish_document(
    *,
    dossier: Dossier,
    kind: str,
    title: str,
    file: File[bytes],
    name: str | None = None,
    by: User | None = None,
) -> Document:
    """The office publishes correspondence or a document to a dossier (R-OFF-3); a PDF is
    sealed with the office's seal (R-SIG-1). Raises ``UploadRejected`` (``SealError`` for a
    PDF that cannot be sealed): nothing is stored."""
    if kind not in PUBLISHED_KINDS:
        raise ValueError(f"The office publishes correspondence or documents, not {kind!r}")
    with transaction.atomic():
        document = _add(
            dossier=dossier,
            kind=kind,
            title=title,
            file=file,
            name=name,
            by=by,
            action="document.published",
            seal=True,
        )
        transaction.on_commit(lambda: document_published.send(sender=Document, document=document))
    return document


def supply_document(
    *,
    dossier: Dossier,
    file: File[bytes],
    title: str = "",
    name: str | None = None,
    by: User | None = None,
    seal: bool = False,
) -> Document:
    """The client supplies a document to a dossier (R-DOC-3): with a message, or a
    questionnaire's PDF. The caller has checked that ``by`` may see ``dossier``.
    ``seal``: a PDF the portal made itself (a questionnaire's, a signed document) is sealed
    (R-SIG-1); a client's own upload never is."""
    return _add(
        dossier=dossier,
        kind=Document.Kind.SUPPLIED,
        title=title,
        file=file,
        name=name,
        by=by,
        action="document.supplied",
        seal=seal,
    )


def stage_upload(
    *, dossier: Dossier, file: File[bytes], name: str | None = None, by: User
) -> StagedUpload:
    """Check and store a file for a message still being written (R-MSG-6). Raises
    ``UploadRejected`` (nothing stored) for a refused file. The caller has checked that ``by``
    may see ``dossier``. A staff member's PDF (the office's message attachment: correspondence
    it publishes) is stored sealed (R-SIG-1); ``SealError`` if it cannot be."""
    checked = check_upload(file, name=name)
    staged = StagedUpload(
        dossier=dossier,
        uploaded_by=by,
        original_name=checked.name,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
    )
    content: File[bytes] = checked.file
    if checked.content_type == "application/pdf" and is_staff_member(by):
        staged.verify_code = sealing.new_verify_code()
        sealed = sealing.seal_pdf(
            checked.file.read(), office=cast(Office, dossier.office), code=staged.verify_code
        )
        content = ContentFile(sealed)
        staged.size = len(sealed)
        staged.sha256 = hashlib.sha256(sealed).hexdigest()
    staged.file.save("upload", content, save=False)
    with _removing_file_on_error([staged]):
        staged.save()
    return staged


def staged_for(
    *, dossier: Dossier, user: User, keys: Iterable[str | uuid.UUID]
) -> list[StagedUpload]:
    """The staged uploads of ``user`` in ``dossier`` among ``keys`` (others' keys, unknown or
    malformed keys are ignored), in upload order."""
    valid = []
    for key in keys:
        try:
            valid.append(uuid.UUID(str(key)))
        except ValueError:
            continue
    if not valid:
        return []
    return list(StagedUpload.objects.filter(dossier=dossier, uploaded_by=user, key__in=valid))


class StagedUploadGone(Exception):
    """A staged upload was removed (trash icon in another tab, or the clean-up) before the
    message that should carry it was saved."""


def discard_staged(staged: Iterable[StagedUpload]) -> int:
    """Remove staged uploads and their files (the trash icon, or an upload never sent).

    The row goes first and the file only if this call removed the row: a message being sent at
    the same moment either took the row (and so the file) or finds it gone and is refused."""
    removed = 0
    for upload in staged:
        if StagedUpload.objects.filter(pk=upload.pk).delete()[0]:
            upload.file.delete(save=False)
            removed += 1
    return removed


def attach_staged(
    staged: Iterable[StagedUpload], *, message: Message, kind: str, by: User | None
) -> list[Document]:
    """Turn staged uploads into documents of ``message``'s dossier, attached to ``message``.
    Must run inside the transaction that saves the message: the file is not copied, so if that
    transaction rolls back the staged upload is simply still there."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("attach_staged must run inside the message's transaction")
    documents: list[Document] = []
    for upload in staged:
        if upload.dossier_id != message.dossier_id:
            raise ValueError("A staged upload belongs to another dossier")
        document = Document.objects.create(
            dossier_id=message.dossier_id,
            kind=kind,
            title=upload.original_name[:200],
            original_name=upload.original_name,
            size=upload.size,
            content_type=upload.content_type,
            sha256=upload.sha256,
            # The code printed in the stamp of a PDF sealed when it was staged.
            verify_code=upload.verify_code or sealing.new_verify_code(),
            file=upload.file.name,
            uploaded_by=by,
            message=message,
        )
        if not StagedUpload.objects.filter(pk=upload.pk).delete()[0]:
            raise StagedUploadGone(upload.original_name)
        _read_by_supplier(document, by)
        record(
            "document.supplied" if kind == Document.Kind.SUPPLIED else "document.published",
            actor=by,
            dossier=message.dossier,
            target=document.original_name,
            document=document.pk,
            kind=kind,
            message=message.pk,
            sha256=document.sha256,
        )
        if kind == Document.Kind.SUPPLIED:
            transaction.on_commit(
                partial(document_supplied.send, sender=Document, document=document)
            )
        documents.append(document)
    return documents


def remove_stale_uploads(now: datetime | None = None) -> int:
    """Remove staged uploads older than ``settings.STAGED_UPLOAD_HOURS`` (uploaded in the
    attachments dialog but never sent) with their files. Returns how many were removed."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.STAGED_UPLOAD_HOURS)
    return discard_staged(StagedUpload.objects.filter(created_at__lt=cutoff).iterator())


def _read_by_supplier(document: Document, by: User | None) -> None:
    """R-DOC-4: what a user supplied is read for that user (never unread in their own tab).
    For them only: a company's other accounts did not supply it and see it unread. Inside the
    transaction that creates the document."""
    if by is not None and by.pk is not None:
        DocumentRead.objects.create(document=document, user=by)


def mark_read(*, document: Document, user: User) -> None:
    """R-DOC-4: the item is read for this user only; idempotent."""
    try:
        with transaction.atomic():
            DocumentRead.objects.get_or_create(document=document, user=user)
    except IntegrityError:  # a parallel request marked it first
        pass


def mark_seen_by_office(*, document: Document, by: User) -> None:
    """R-OFF-4: a staff member has seen a client's upload (it leaves the workspace's inbox)."""
    mark_read(document=document, user=by)
    note_office_seen(document=document, user=by)
    record(
        "document.seen_by_office",
        actor=by,
        dossier=document.dossier,
        target=document.original_name,
        document=document.pk,
    )


def note_office_seen(*, document: Document, user: User) -> None:
    """A staff member opened a client's file: it leaves the workspace inbox (R-OFF-4)."""
    if (
        is_staff_member(user)
        and document.kind == Document.Kind.SUPPLIED
        and not document.office_seen_at
    ):
        document.office_seen_at = timezone.now()
        Document.objects.filter(pk=document.pk, office_seen_at__isnull=True).update(
            office_seen_at=document.office_seen_at
        )


def record_download(*, document: Document, user: User) -> None:
    mark_read(document=document, user=user)
    note_office_seen(document=document, user=user)
    record(
        "document.downloaded",
        actor=user,
        dossier=document.dossier,
        target=document.original_name,
        document=document.pk,
    )


def with_read_state(documents: QuerySet[Document], user: User) -> QuerySet[Document]:
    """Annotate ``is_read`` for ``user`` (one query, no per-row lookups)."""
    return documents.annotate(
        is_read=Exists(DocumentRead.objects.filter(document=OuterRef("pk"), user=user))
    )


def tab_counts(*, dossier: Dossier, user: User) -> dict[str, dict[str, int]]:
    """R-DOS-4: per kind, the number of items and of unread items for ``user`` (one query)."""
    rows = (
        Document.objects.filter(dossier=dossier)
        .values("kind")
        .annotate(
            total=Count("pk", distinct=True),
            read=Count("reads", filter=Q(reads__user=user), distinct=True),
        )
    )
    counts = {kind: {"total": 0, "unread": 0} for kind in Document.Kind.values}
    for row in rows:
        counts[row["kind"]] = {"total": row["total"], "unread": row["total"] - row["read"]}
    return counts


class NotWithdrawable(Exception):
    """Only what the office published itself can be withdrawn: not a client's file, a
    message's attachment, a questionnaire's PDF or a document asked to be signed."""


def withdraw_document(*, document: Document, by: User | None = None) -> None:
    """The office takes back a document it published (R-OFF-3), e.g. one put in the wrong
    dossier: the row goes (clients no longer see or download it) and so does the file, once
    the transaction is committed. The audit trail keeps its name, kind and SHA-256."""
    if (
        document.kind not in PUBLISHED_KINDS
        or document.message_id is not None
        or Document.objects.filter(pk=document.pk, questionnaire__isnull=False).exists()
        # Asked to be signed (R-SIG-5): the signatures and their evidence refer to it.
        or Document.objects.filter(pk=document.pk, signing_requests__isnull=False).exists()
    ):
        raise NotWithdrawable
    with transaction.atomic():
        record(
            "document.withdrawn",
            actor=by,
            dossier=document.dossier,
            target=document.original_name,
            document=document.pk,
            kind=document.kind,
            sha256=document.sha256,
        )
        stored = document.file
        name = stored.name
        document.delete()
        document.dossier.save(update_fields=["updated_at"])  # so ``updated_since`` finds it
        transaction.on_commit(partial(stored.storage.delete, name))
