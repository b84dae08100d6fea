"""Building an export off the request path, and removing expired ones (R-RET-2). The build is
queued by ``services.request_export`` after commit and runs for the office that queued it
(``portal.offices.task_office``); without a broker it runs in-process."""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from portal.audit.context import audit_context
from portal.notifications.email import queue_email
from portal.offices.models import Office
from portal.offices.services import per_office

from .archive import write_archive
from .models import BUILD_TIMEOUT, DataExport

log = logging.getLogger(__name__)

# A build not started this long after the request was lost on its way to a worker.
LOST_AFTER = timedelta(minutes=5)


@shared_task(bind=True, max_retries=3, acks_late=True)
def build_export(self, export_pk: int) -> bool:
    """Build the ZIP of export ``export_pk``, store it and tell the client by e-mail.
    Idempotent: an export that is no longer being prepared is left alone."""
    try:
        with audit_context():
            return build(export_pk)
    except Exception as exc:
        log.exception("Export %s not built", export_pk)
        if self.request.is_eager or self.request.retries >= self.max_retries:
            DataExport.objects.filter(pk=export_pk, status=DataExport.Status.PENDING).update(
                status=DataExport.Status.FAILED
            )
            return False
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


def build(export_pk: int) -> bool:
    export = DataExport.objects.select_related("user", "user__client").filter(pk=export_pk).first()
    if export is None or export.status != DataExport.Status.PENDING:
        return False
    DataExport.objects.filter(pk=export.pk).update(started_at=timezone.now())
    user = export.user
    # On the disk (the upload folder, beside the storage when it is local), never in memory.
    with tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR, suffix=".zip") as target:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            counts = write_archive(target, user)
        size = target.tell()
        target.seek(0)
        export.file.save("export.zip", File(target), save=False)
    now = timezone.now()
    with transaction.atomic():
        updated = DataExport.objects.filter(pk=export.pk, status=DataExport.Status.PENDING).update(
            status=DataExport.Status.READY,
            file=export.file.name,
            size=size,
            ready_at=now,
            expires_at=now + timedelta(hours=settings.EXPORT_VALID_HOURS),
        )
        if not updated:  # built twice at once: the other build's file stays, this one goes
            export.file.delete(save=False)
            return False
        # Content-free: that the export is ready, and a link to the page (R-RET-2).
        queue_email(
            to_user=user,
            template="export_ready",
            context={
                "link": Office.current().base_url + reverse("accounts:profile") + "#export-heading",
                "hours": settings.EXPORT_VALID_HOURS,
            },
        )
    log.info("Export %s built: %s", export.pk, counts, extra={"export": export.pk, **counts})
    return True


@shared_task
@per_office
def build_lost_exports() -> int:
    """The sweep: exports asked for more than ``LOST_AFTER`` ago that no worker has started
    (the broker was down when the request queued the build) are queued again. Returns how
    many."""
    now = timezone.now()
    lost = DataExport.objects.filter(
        status=DataExport.Status.PENDING,
        started_at__isnull=True,
        created_at__lt=now - LOST_AFTER,
        created_at__gt=now - BUILD_TIMEOUT,
    ).values_list("pk", flat=True)
    queued = 0
    for pk in lost:
        build_export.delay(pk)
        queued += 1
    return queued


@shared_task
@per_office
def prune_exports() -> int:
    """Beat task: delete exports past their 24 hours with their files, and failed or stuck
    requests older than a day (they count against the daily limit until then). Returns how
    many exports went."""
    now = timezone.now()
    day_ago = now - timedelta(hours=24)
    gone = DataExport.objects.filter(expires_at__lte=now) | DataExport.objects.filter(
        status__in=[DataExport.Status.FAILED, DataExport.Status.PENDING], created_at__lt=day_ago
    )
    total = 0
    for export in gone.order_by("pk")[: settings.PRUNE_BATCH_SIZE].iterator():
        if export.file:
            # The file first: a crash between the two leaves a row that the next run retries,
            # never a file no row points to (``receivers.remove_file`` has nothing left to do).
            export.file.delete(save=False)
        export.delete()
        total += 1
    log.info("Pruned %d data exports.", total, extra={"pruned": "data exports", "count": total})
    return total
