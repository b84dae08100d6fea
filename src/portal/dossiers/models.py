"""Dossiers, their progress steps, and the access grants that decide who sees what.

``Dossier.objects.visible_to(user)`` is THE access check of the portal: every client-facing
query for a dossier, or for anything inside one, starts from it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Client
from portal.core.scoping import OfficeManager, office_field
from portal.offices.models import DossierStatus


class DossierQuerySet(models.QuerySet["Dossier"]):
    def visible_to(self, user) -> DossierQuerySet:
        """The dossiers ``user`` may see as a client: those granted to the user's client.

        A company's grants cover its main and extra accounts alike. Staff accounts are not
        clients: they work in the staff workspace, not these pages.
        Inactive users and anonymous visitors see nothing.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.client_id is None:
            return self.none()
        return self.filter(grants__client_id=user.client_id)

    def search(self, text: str, *, few: bool = False) -> DossierQuerySet:
        """Case-insensitive partial match on number or description (R-DOS-2).

        Office-wide: one ``icontains`` on ``search_text`` (both, one line each), which one GIN
        trigram index serves on PostgreSQL (migration 0004). ``few=True`` for a queryset
        already narrowed to a few rows (a client's dossiers): the same match on the two
        columns, which no index serves, so the planner starts from the client's grants instead
        of the trigram index over every dossier (2 ms instead of 5–16 ms at 50,000)."""
        text = text.strip()
        if not text:
            return self
        if few:
            return self.filter(Q(number__icontains=text) | Q(description__icontains=text))
        return self.filter(search_text__icontains=text)


class Dossier(models.Model):
    office = office_field(verbose_name=_("office"))
    number = models.CharField(_("dossier number"), max_length=50)
    description = models.CharField(_("description"), max_length=300)
    status = models.ForeignKey(
        DossierStatus, verbose_name=_("status"), on_delete=models.PROTECT, related_name="dossiers"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_dossiers",
        limit_choices_to={"is_staff": True},
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    # When the dossier got a status that closes it (R-RET-1): the retention periods of its
    # portal copies run from here. Cleared when it gets an open status again.
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    # What the search matches (R-DOS-2): number and description on two lines, kept by
    # the database itself. A line break, so no match runs from the number into the description
    # (the search box is one line).
    search_text = models.GeneratedField(
        expression=Concat("number", Value("\n"), "description"),
        output_field=models.TextField(),
        db_persist=True,
    )

    objects = OfficeManager.from_queryset(DossierQuerySet)()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            # Newest first (the default order), read backwards: the office-wide list and a
            # search for a common word ("straat": a fifth of all dossiers) stop after a page
            # instead of sorting every match.
            models.Index(fields=["office", "created_at", "id"], name="dossiers_newest"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["office", "number"], name="dossiers_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.description}"


class ProgressStep(models.Model):
    """One step of a dossier's progress list ("Voortgang"), in order, done or not (R-DOS-5)."""

    office = office_field(verbose_name=_("office"))
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("step"), max_length=200)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done on"), null=True, blank=True)

    objects = OfficeManager["ProgressStep"]()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("progress step")
        verbose_name_plural = _("progress steps")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.done and self.done_at is None:
            self.done_at = timezone.now()
        elif not self.done:
            self.done_at = None
        super().save(*args, **kwargs)


class DossierAccess(models.Model):
    """A grant: ``client`` (and so all of its accounts) may see ``dossier``."""

    office = office_field(verbose_name=_("office"))
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="grants")
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="grants"
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = OfficeManager["DossierAccess"]()

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "client"], name="dossiers_access_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.client} → {self.dossier.number}"


class LegalHold(models.Model):
    """A hold on a dossier (R-RET-1, R-RET-3): while it is not lifted, nothing of the dossier is
    removed by retention and its clients cannot be erased. Kept after lifting, as the record of
    who held it, when and why."""

    office = office_field(verbose_name=_("office"))
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="holds"
    )
    reason = models.CharField(_("reason"), max_length=500)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    placed_at = models.DateTimeField(_("placed"), auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    objects = OfficeManager["LegalHold"]()

    class Meta:
        ordering = ["-placed_at", "-pk"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        indexes = [models.Index(fields=["dossier", "lifted_at"], name="dossiers_hold_active")]

    def __str__(self) -> str:
        return self.reason

    @property
    def active(self) -> bool:
        return self.lifted_at is None
