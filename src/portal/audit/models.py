"""The audit trail: who did what, when, from where (R-X-1). Rows are only ever added."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import OfficeManager, office_field


class AuditEntry(models.Model):
    # None: an entry of the hosting administrators' work across offices.
    office = office_field(verbose_name=_("office"), null=True, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=254, blank=True)
    action = models.CharField(_("what"), max_length=64, db_index=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The client the entry concerns (the acting client account, or the client or account acted
    # on), so that staff can read the trail per client as well as per dossier.
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("client"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    target = models.CharField(_("object"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = OfficeManager["AuditEntry"]()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target}"


def related_model(field: str):
    """The model an entry's foreign key ``field`` points to (the user, the dossier, the client):
    the audit app is the lowest layer and reaches those models only through its own relations,
    never by importing the apps above it."""
    return AuditEntry._meta.get_field(field).related_model
