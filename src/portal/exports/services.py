"""A client asks for and downloads the export of their data (R-RET-2)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import record

from . import tasks
from .models import BUILD_TIMEOUT, DataExport


class ExportRefused(Exception):
    """Why a request for an export is refused, as a sentence for the client."""


def latest_for(user: User) -> DataExport | None:
    """The account's most recent export (one query), for the status on "Mijn gegevens"."""
    return DataExport.objects.filter(user=user).order_by("-created_at", "-pk").first()


def request_export(*, user: User) -> DataExport:
    """Start building the export of ``user``'s data: refused while one is being prepared and
    after ``EXPORT_REQUESTS_PER_DAY`` requests in 24 hours. Audited; built after commit."""
    if user.client_id is None:
        raise ExportRefused(_("Only a client account can download its data."))
    now = timezone.now()
    with transaction.atomic():
        # One request at a time per account: a double click waits here for the first.
        list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
        recent = DataExport.objects.filter(user=user, created_at__gt=now - timedelta(hours=24))
        if recent.filter(
            status=DataExport.Status.PENDING, created_at__gt=now - BUILD_TIMEOUT
        ).exists():
            raise ExportRefused(
                _(
                    "Your data is already being prepared. You will receive an e-mail when "
                    "it is ready."
                )
            )
        if recent.count() >= settings.EXPORT_REQUESTS_PER_DAY:
            raise ExportRefused(
                _(
                    "You have asked for your data %(count)d times in the last 24 hours. "
                    "Please try again tomorrow."
                )
                % {"count": settings.EXPORT_REQUESTS_PER_DAY}
            )
        export = DataExport.objects.create(user=user)
        record("export.requested", target=user)
        pk = export.pk
        transaction.on_commit(lambda: tasks.build_export.delay(pk), robust=True)
    return export


def available_for(user: User, pk: int) -> DataExport | None:
    """Export ``pk`` if it is ``user``'s own and may still be downloaded; else None (a 404:
    another account's export looks the same as one that does not exist)."""
    return (
        DataExport.objects.filter(
            pk=pk, user=user, status=DataExport.Status.READY, expires_at__gt=timezone.now()
        )
        .exclude(file="")
        .first()
    )


def record_download(*, export: DataExport, user: User) -> None:
    record("export.downloaded", actor=user, target=user, export=export.pk)
