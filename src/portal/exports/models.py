"""A client's export of their own data (R-RET-2, "Mijn gegevens downloaden"): one ZIP of every
dossier the account may see and of the account itself, built in the background, stored in the
private storage under the office's prefix, downloadable by the account that asked for it only,
for ``EXPORT_VALID_HOURS``; then the file and the row go (``tasks.prune_exports``)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core import tenancy
from portal.core.scoping import OfficeManager, office_field

# A build that has not finished in this time was lost (a worker crashed): it no longer holds
# up a new request, and the prune task removes it after a day.
BUILD_TIMEOUT = timedelta(hours=1)


def storage_name(instance: DataExport, filename: str) -> str:
    """A random name under the office's prefix, never the client's name."""
    office_id = instance.office_id or tenancy.require_office_id()
    return f"office-{office_id}/exports/{uuid.uuid4().hex}.zip"


class DataExport(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    office = office_field(verbose_name=_("office"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("file"), upload_to=storage_name, max_length=200, blank=True)
    size = models.BigIntegerField(_("size"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    # Set when a worker starts building: a pending export without it after a few minutes was
    # never picked up (its task was lost) and is queued again by ``tasks.build_lost_exports``.
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True, db_index=True)

    objects = OfficeManager["DataExport"]()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        indexes = [models.Index(fields=["user", "created_at"], name="exports_user_newest")]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.user_id}"

    @property
    def is_being_prepared(self) -> bool:
        return (
            self.status == self.Status.PENDING and self.created_at > timezone.now() - BUILD_TIMEOUT
        )

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED or (
            self.status == self.Status.PENDING and not self.is_being_prepared
        )

    @property
    def is_available(self) -> bool:
        return (
            self.status == self.Status.READY
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.READY and not self.is_available
