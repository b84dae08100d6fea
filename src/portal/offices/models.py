"""The notary office of this deployment: its branding and the dossier statuses it uses."""

from __future__ import annotations

import secrets
from email.utils import formataddr
from pathlib import PurePath

from django.conf import settings
from django.core.cache import cache
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

CACHE_KEY = "portal:office:v1"

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


def logo_path(instance: Office, filename: str) -> str:
    # A random storage name: never the uploader's file name on disk.
    suffix = PurePath(filename).suffix.lower()
    return f"office/logo-{secrets.token_hex(8)}{suffix}"


class AccessibilityStatus(models.TextChoices):
    """The statuses of the Dutch register of accessibility statements."""

    A = "A", _("A: fully compliant")
    B = "B", _("B: partially compliant")
    C = "C", _("C: first measures taken")
    D = "D", _("D: no measures taken yet")


def _in_language(dutch: str, english: str) -> str:
    if english and (get_language() or "nl").startswith("en"):
        return english
    return dutch


class Office(models.Model):
    """The one office of this deployment. ``Office.current()`` returns (or creates) it."""

    name = models.CharField(_("name"), max_length=200, default="Notariskantoor")
    logo = models.FileField(
        _("logo"),
        upload_to=logo_path,
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "svg", "webp"])],
        help_text=_(
            "PNG, JPEG, SVG or WebP of at most 1 MB; shown on the login page, on every page "
            "and in e-mails. Scripts and links are removed from an SVG. Some e-mail programs "
            "show only PNG or JPEG."
        ),
    )
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1f3a5f", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#c8102e", validators=[hex_colour]
    )
    email_sender = models.EmailField(
        _("e-mail sender address"),
        blank=True,
        help_text=_("The From address of the portal's e-mails; empty uses the server default."),
    )
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    contact_email = models.EmailField(
        _("contact e-mail address"),
        blank=True,
        help_text=_("Shown with the telephone number at the bottom of every page."),
    )

    # The accessibility statement (/toegankelijkheid/), in the format of the Dutch register
    # (digitoegankelijk.nl). Texts have an optional English version for English users.
    accessibility_status = models.CharField(
        _("compliance status"),
        max_length=1,
        choices=AccessibilityStatus.choices,
        blank=True,
        help_text=_("As in the Dutch register of accessibility statements; empty: not yet set."),
    )
    accessibility_statement_date = models.DateField(
        _("date of the statement"), null=True, blank=True
    )
    accessibility_evaluation_date = models.DateField(
        _("date of the evaluation"), null=True, blank=True
    )
    accessibility_method = models.TextField(
        _("evaluation method"),
        blank=True,
        help_text=_("How the portal was checked, for example by whom and with which tools."),
    )
    accessibility_method_en = models.TextField(_("evaluation method in English"), blank=True)
    accessibility_known_issues = models.TextField(
        _("known issues and plans"),
        blank=True,
        help_text=_("One per line: what does not meet the standard yet, and what is planned."),
    )
    accessibility_known_issues_en = models.TextField(
        _("known issues and plans in English"), blank=True
    )
    accessibility_email = models.EmailField(
        _("e-mail address for accessibility feedback"),
        blank=True,
        help_text=_("Empty uses the contact e-mail address."),
    )
    accessibility_complaints = models.TextField(
        _("complaints procedure"),
        blank=True,
        help_text=_("Where a visitor can go when the answer to their feedback does not satisfy."),
    )
    accessibility_complaints_en = models.TextField(_("complaints procedure in English"), blank=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("office")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Office:
        office = cls.objects.order_by("pk").first()
        if office is None:
            office = cls.objects.create()
        return office

    @classmethod
    def cached(cls) -> Office:
        """``current()`` without a query on most requests (the branding is on every
        page, and the API checks a token's office on every call).

        Kept in Django's cache (``CACHES``: Redis when ``REDIS_URL`` is set, shared by every
        app server; otherwise each process's own memory) for ``OFFICE_CACHE_SECONDS``. Saving
        or deleting the office removes the entry at once and again after the commit
        (``offices.signals``), so with Redis every server shows a change on its next request.
        Without a shared cache a change reaches the other processes when their copy expires:
        at most ``OFFICE_CACHE_SECONDS`` later. ``QuerySet.update()`` sends no signal: change
        the office through ``save()`` (the admin does). 0 turns the cache off."""
        seconds = settings.OFFICE_CACHE_SECONDS
        if seconds <= 0:
            return cls.current()
        office = cache.get(CACHE_KEY)
        if office is None:
            office = cls.current()
            cache.set(CACHE_KEY, office, seconds)
        return office

    @classmethod
    def forget_cached(cls) -> None:
        cache.delete(CACHE_KEY)

    @property
    def logo_url(self) -> str:
        """The public logo view, or "" without a logo. The stored name (random per upload)
        is in the query, so browsers and mail clients fetch a new logo at once."""
        if not self.logo:
            return ""
        return f"{reverse('office_logo')}?v={PurePath(self.logo.name).stem.rpartition('-')[2]}"

    @property
    def accessibility_method_text(self) -> str:
        return _in_language(self.accessibility_method, self.accessibility_method_en)

    @property
    def accessibility_issues(self) -> list[str]:
        text = _in_language(self.accessibility_known_issues, self.accessibility_known_issues_en)
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def accessibility_complaints_text(self) -> str:
        return _in_language(self.accessibility_complaints, self.accessibility_complaints_en)

    @property
    def accessibility_contact_email(self) -> str:
        return self.accessibility_email or self.contact_email

    @property
    def from_email(self) -> str | None:
        """The formatted From header, or None to use DEFAULT_FROM_EMAIL."""
        if not self.email_sender:
            return None
        return formataddr((self.name, self.email_sender))


class DossierStatus(models.Model):
    """A status a dossier can have; the office keeps its own list."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(
        _("name in English"), max_length=100, blank=True, help_text=_("Shown to English users.")
    )
    in_progress = models.BooleanField(
        _("counts as 'in behandeling'"),
        default=False,
        help_text=_("Dossiers with this status count as in progress on the client's home page."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("dossier status")
        verbose_name_plural = _("dossier statuses")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_language(self.name, self.name_en)
