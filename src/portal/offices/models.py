"""The notary offices of this installation (R-TEN-1): each with its host names, branding and
the dossier statuses it uses. The office of a request comes from its host name
(``offices.middleware``); everything else reads it from the context (``portal.core.tenancy``)."""

from __future__ import annotations

import secrets
from email.utils import formataddr
from pathlib import PurePath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.core import tenancy
from portal.core.scoping import OfficeManager, office_field

HOST_CACHE_KEY = "portal:office-host:v2:{}"

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


def logo_path(instance: Office, filename: str) -> str:
    # A random storage name: never the uploader's file name on disk.
    suffix = PurePath(filename).suffix.lower()
    return f"office-{instance.pk}/logo-{secrets.token_hex(8)}{suffix}"


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
    """A notary office served by this installation. ``Office.current()`` is the context's."""

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
    suspended_at = models.DateTimeField(
        _("suspended"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("While suspended every page says the portal is unavailable; nothing is sent."),
    )
    sms_sender = models.CharField(
        _("SMS sender name"),
        max_length=11,
        blank=True,
        validators=[RegexValidator(r"^[A-Za-z0-9 ]*$", _("Letters, digits and spaces only."))],
        help_text=_("At most 11 letters or digits; empty uses the server default."),
    )
    email_reply_to = models.EmailField(
        _("e-mail reply-to address"),
        blank=True,
        help_text=_("Where replies to the portal's e-mails go; empty: no Reply-To header."),
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
        """The context's office (``portal.core.tenancy``); ``OfficeRequired`` without one."""
        office = tenancy.current_office()
        if office is None:
            tenancy.require_office_id()  # raises
        return office  # type: ignore[return-value]

    @classmethod
    def cached(cls) -> Office:
        """The context's office: the middleware read it once for the request, from the cache."""
        return cls.current()

    @classmethod
    def first_or_create(cls) -> Office:
        """The first office, made if there is none: the office of a single-office shell and of
        the test suite (``tenancy.default_office``), never of a request in production."""
        office = cls.objects.order_by("pk").first()
        if office is None:
            office = cls.objects.create()
        return office

    @classmethod
    def for_host(cls, host: str) -> Office | None:
        """The office serving ``host`` (a name without port, any case), or None. Kept in
        Django's cache (``CACHES``: Redis when ``REDIS_URL`` is set, shared by every app server)
        for ``OFFICE_CACHE_SECONDS``; saving or deleting an office or a host name drops the
        entries (``offices.signals``). 0 turns the cache off."""
        name = host.lower().rstrip(".")
        seconds = settings.OFFICE_CACHE_SECONDS
        key = HOST_CACHE_KEY.format(name)
        if seconds > 0:
            found = cache.get(key)
            if found is not None:
                return found or None  # False: known to be unknown
        host_row = OfficeHost.objects.select_related("office").filter(name=name).first()
        office = host_row.office if host_row is not None else None
        if seconds > 0:
            cache.set(key, office or False, seconds)
        return office

    @classmethod
    def forget_cached(cls, names: list[str] | None = None) -> None:
        """Drop every cached host lookup (few keys: one per host name), and those of ``names``."""
        names = [*(names or []), *OfficeHost.objects.values_list("name", flat=True)]
        cache.delete_many([HOST_CACHE_KEY.format(name) for name in names])

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def primary_host(self) -> str | None:
        host = OfficeHost.objects.filter(office=self).order_by("-primary", "pk").first()
        return host.name if host is not None else None

    @property
    def base_url(self) -> str:
        """The address of the office's portal in links made outside a request (e-mails, SMS):
        its host marked primary, with the scheme and port of ``PORTAL_BASE_URL``; without a
        primary host, ``PORTAL_BASE_URL`` itself. No trailing slash."""
        base = settings.PORTAL_BASE_URL.rstrip("/")
        host = (
            OfficeHost.objects.filter(office=self, primary=True)
            .order_by("pk")
            .values_list("name", flat=True)
            .first()
        )
        if not host:
            return base
        parts = urlsplit(base)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme or 'https'}://{host}{port}"

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


class OfficeHost(models.Model):
    """A host name an office is served on (R-TEN-1). The primary one is used in links (e-mails,
    SMS, webhooks) made outside a request."""

    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="hosts"
    )
    name = models.CharField(
        _("host name"),
        max_length=253,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$",
                _("A host name in lower case, without scheme or port (e.g. portaal.example.nl)."),
            )
        ],
    )
    primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-primary", "name"]
        verbose_name = _("host name")
        verbose_name_plural = _("host names")

    def __str__(self) -> str:
        return self.name


class DossierStatus(models.Model):
    """A status a dossier can have; each office keeps its own list."""

    office = office_field(verbose_name=_("office"))
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(
        _("name in English"), max_length=100, blank=True, help_text=_("Shown to English users.")
    )
    in_progress = models.BooleanField(
        _("counts as 'in behandeling'"),
        default=False,
        help_text=_("Dossiers with this status count as in progress on the client's home page."),
    )
    closes_dossier = models.BooleanField(
        _("closes the dossier"),
        default=False,
        help_text=_(
            "A final status: the dossier counts as closed from the moment it gets this status, "
            "and the retention periods of its portal copies start then."
        ),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = OfficeManager["DossierStatus"]()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="offices_status_name_unique")
        ]
        verbose_name = _("dossier status")
        verbose_name_plural = _("dossier statuses")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_language(self.name, self.name_en)
