"""Who logs in: users (e-mail address, no username), the clients they belong to, and the
single-use links of onboarding and password reset."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, ClassVar, cast

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, router
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core import tenancy
from portal.core.scoping import OfficeManager, office_field
from portal.prepared import prepared_get_by_pk_in_office

from . import roles
from .roles import Role


class UserManager(OfficeManager["User"], BaseUserManager["User"]):
    """The office's accounts (R-TEN-3): an e-mail address names an account at one office."""

    def get(self, *args: Any, **kwargs: Any) -> User:
        """As Django's; ``get(pk=…)`` alone, which the authentication makes on every request
        for the signed-in user, runs SQL built once per process (portal.prepared), with the
        office's filter as every other read of the manager."""
        if args or kwargs.keys() != {"pk"} or self._db is not None or tenancy.is_cross_office():
            return super().get(*args, **kwargs)
        office_id = tenancy.current_office_id()
        get = prepared_get_by_pk_in_office(self.model)
        # No office (a probe on an unknown host): no account is found, the visitor is anonymous.
        user = (
            None
            if office_id is None
            else get(router.db_for_read(self.model), kwargs["pk"], office_id)
        )
        if user is None:
            name = self.model._meta.object_name
            raise self.model.DoesNotExist(f"{name} matching query does not exist.")
        return cast("User", user)

    def get_by_natural_key(self, email: str | None) -> User:
        # Log-in is case-insensitive on the e-mail address. Across offices (the hosting site)
        # only the hosting administrators, who belong to no office, log in.
        if tenancy.is_cross_office():
            return self.get(email__iexact=email, office__isnull=True)
        return self.get(email__iexact=email)

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        """An office's administrator in an office's scope; across offices (``manage.py
        createsuperuser``, ``hosting_admin``) a hosting administrator, of no office."""
        if tenancy.is_cross_office():
            fields.setdefault("office", None)
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("staff_role", Role.ADMINISTRATOR)
        return self.create_user(email, password, **fields)


class Client(models.Model):
    """A client of the office: a natural person or a company (legal entity).

    A person has one account. A company has a main account and may have extra accounts; all of
    them see the company's dossiers.
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    office = office_field(verbose_name=_("office"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=200)
    reference = models.CharField(
        _("reference"),
        max_length=64,
        blank=True,
        help_text=_("The client's number in the office's case-management system."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    # R-RET-3: since when the client has had no dossier (set and cleared by the daily sweep of
    # portal.retention.erasure), and when its accounts were warned that they will be removed.
    no_dossier_since = models.DateTimeField(_("no dossier since"), null=True, blank=True)
    erasure_warned_at = models.DateTimeField(_("warned of removal"), null=True, blank=True)

    objects = OfficeManager["Client"]()

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")

    def __str__(self) -> str:
        return self.name

    @property
    def is_company(self) -> bool:
        return self.kind == self.Kind.COMPANY


# The devices' reverse managers (smsdevice_set, ...) come from django_otp's untyped base model.
class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """A person who logs in: a client's account (main or extra) or a staff member."""

    class Language(models.TextChoices):
        DUTCH = "nl", _("Dutch")
        ENGLISH = "en", _("English")

    # None: a hosting administrator, who signs in only at the hosting admin site.
    office = office_field(verbose_name=_("office"), null=True, blank=True)
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="accounts",
    )
    is_main_account = models.BooleanField(
        _("main account"),
        default=True,
        help_text=_("For a company: the main account; the others are extra accounts."),
    )
    is_staff = models.BooleanField(
        _("staff"), default=False, help_text=_("An employee of the office (can use the admin).")
    )
    staff_role = models.CharField(
        _("role"),
        max_length=20,
        choices=Role.choices,
        default=Role.HANDLER,
        help_text=_(
            "For staff: handlers do the daily work in the workspace; office administrators "
            "also configure the office here."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    password_set_at = models.DateTimeField(_("password set"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint("office", Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def may_configure(self) -> bool:
        """For templates: may this account open the office's configuration (the admin)?"""
        return roles.can(self, roles.Capability.CONFIGURE)

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.get_full_name()


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class AccountTokenQuerySet(models.QuerySet["AccountToken"]):
    def outstanding(self) -> AccountTokenQuerySet:
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class AccountToken(models.Model):
    """A single-use, expiring link secret. Only its SHA-256 is stored.

    Kept in the database (rather than Django's stateless reset tokens) so that each purpose has
    its own lifetime and a page can tell a used link from an expired one.
    """

    class Purpose(models.TextChoices):
        INVITATION = "invitation", _("invitation")
        SET_PASSWORD = "set_password", _("set password")
        LOGIN_LINK = "login_link", _("login link")

    office = office_field(verbose_name=_("office"))
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = OfficeManager.from_queryset(AccountTokenQuerySet)()

    class Meta:
        indexes = [models.Index(fields=["user", "purpose"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} for {self.user}"

    @staticmethod
    def lifetime_hours(purpose: str) -> int:
        if purpose == AccountToken.Purpose.INVITATION:
            return settings.INVITATION_LINK_HOURS
        return settings.PASSWORD_LINK_HOURS

    @staticmethod
    def lifetime(purpose: str) -> timedelta:
        if purpose == AccountToken.Purpose.LOGIN_LINK:
            return timedelta(minutes=settings.LOGIN_LINK_MINUTES)
        return timedelta(hours=AccountToken.lifetime_hours(purpose))

    @classmethod
    def issue(cls, user: User, purpose: str) -> str:
        """Create a token and return its raw secret (to put in a link; never stored)."""
        raw = secrets.token_urlsafe(32)
        cls.objects.create(
            user=user,
            purpose=purpose,
            token_hash=_hash(raw),
            expires_at=timezone.now() + cls.lifetime(purpose),
        )
        return raw

    @classmethod
    def lookup(cls, raw: str, purpose: str) -> AccountToken | None:
        if not raw or len(raw) > 100:
            return None
        return (
            cls.objects.select_related("user")
            .filter(token_hash=_hash(raw), purpose=purpose)
            .first()
        )

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_used(self) -> bool:
        return self.used_at is not None

    @property
    def is_valid(self) -> bool:
        return not self.is_used and not self.is_expired and self.user.is_active

    def use(self) -> bool:
        """Use the link up, once: one conditional UPDATE, so of several requests racing with
        the same link exactly one gets True (the database serialises the row's updates; a
        request that waited sees ``used_at`` already set and changes nothing)."""
        now = timezone.now()
        changed = AccountToken.objects.filter(
            pk=self.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if changed:
            self.used_at = now
        return bool(changed)
