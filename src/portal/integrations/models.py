"""The REST API's own data (R-OFF-6): tokens for integrations, stored responses of idempotent
POSTs, and webhook endpoints with their delivery log."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import OfficeManager, office_field

TOKEN_PREFIX = "kp"  # noqa: S105 (not a secret: marks the token kind)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A token an administrator creates for one integration. The full token
    (``kp_<prefix>_<secret>``) is shown once; only its SHA-256 is stored."""

    office = models.ForeignKey(
        "offices.Office",
        verbose_name=_("office"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text=_("The token reaches this office's data only."),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("The integration, e.g. the case-management system.")
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"is_staff": True, "client__isnull": True},
        help_text=_("The staff member recorded as the author of what the integration does."),
    )
    # Configuration (webhook endpoints) besides daily work: only when the acting staff member
    # is an office administrator as well (``roles.token_can``); set when the token is made.
    may_configure = models.BooleanField(
        _("may configure"),
        default=False,
        help_text=_(
            "Also manage the webhook endpoints through the API. Takes effect only while the "
            "staff member it acts as is an office administrator."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = OfficeManager.from_queryset(ApiTokenQuerySet)()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name

    def issue(self) -> str:
        """Give the (unsaved) token a new secret; returns the full token to show once."""
        self.prefix = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        raw = f"{TOKEN_PREFIX}_{self.prefix}_{secret}"
        self.secret_hash = hash_secret(raw)
        return raw

    @classmethod
    def lookup(cls, raw: str) -> ApiToken | None:
        """The active token ``raw`` stands for, or None. Compares hashes in constant time."""
        parts = (raw or "").split("_", 2)
        if len(raw or "") > 200 or len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            return None
        token = (
            cls.objects.active()
            .select_related("acting_user", "office")
            .filter(prefix=parts[1])
            .first()
        )
        if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(raw)):
            return None
        return token

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class IdempotencyRecord(models.Model):
    """The first response to a POST with an ``Idempotency-Key``: a repeat gets it again."""

    office = office_field(verbose_name=_("office"))
    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = OfficeManager["IdempotencyRecord"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_once"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"


class WebhookEvent(models.TextChoices):
    MESSAGE_SENT = "message.sent", _("A client sent a message")
    DOCUMENT_SUPPLIED = "document.supplied", _("A client supplied a file")
    QUESTIONNAIRE_COMPLETED = "questionnaire.completed", _("A client completed a questionnaire")
    INVITATION_ACCEPTED = "invitation.accepted", _("A client accepted the invitation")
    APPROVAL_ANSWERED = "approval.answered", _("A client answered an approval request")


def all_events() -> list[str]:
    return list(WebhookEvent.values)


WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105 (not a secret: the Standard Webhooks prefix)


def new_webhook_secret() -> str:
    """A secret in the Standard Webhooks form: ``whsec_`` and the base64 of 32 random bytes,
    the HMAC key."""
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def is_standard_webhook_secret(secret: str) -> bool:
    """True when ``secret`` is ``whsec_`` + strict base64 of at least 24 bytes."""
    if not secret.startswith(WEBHOOK_SECRET_PREFIX):
        return False
    try:
        key = base64.b64decode(secret[len(WEBHOOK_SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(key) >= 24


class WebhookEndpoint(models.Model):
    """A URL of the office's systems that receives client events, signed per the Standard
    Webhooks specification with ``secret``. After a rotation the previous secret signs too,
    until ``previous_secret_expires_at``, so the receiver can switch without losing events."""

    office = models.ForeignKey(
        "offices.Office", verbose_name=_("office"), on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("An http:// or https:// address."),
    )
    secret = models.CharField(
        _("signing secret"), max_length=100, default=new_webhook_secret, editable=False
    )
    previous_secret = models.CharField(
        _("previous signing secret"), max_length=100, blank=True, editable=False
    )
    previous_secret_expires_at = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True, editable=False
    )
    active = models.BooleanField(_("active"), default=True)
    events = models.JSONField(
        _("events"), default=all_events, blank=True, help_text=_("Empty: every event.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OfficeManager["WebhookEndpoint"]()

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events

    def _previous_is_valid(self, now: datetime) -> bool:
        return bool(
            self.previous_secret
            and self.previous_secret_expires_at is not None
            and now < self.previous_secret_expires_at
        )

    def signing_secrets(self, now: datetime | None = None) -> list[str]:
        """The secrets a delivery is signed with now: the current one, and the previous one
        during its grace period."""
        now = now or timezone.now()
        if self._previous_is_valid(now):
            return [self.secret, self.previous_secret]
        return [self.secret]

    def rotate_secret(self, now: datetime | None = None) -> str:
        """Give the endpoint a new secret; the current one keeps signing for
        ``WEBHOOK_SECRET_ROTATION_HOURS``. Returns the new secret (to show once). A second
        rotation within the grace period drops the oldest secret."""
        now = now or timezone.now()
        hours = settings.WEBHOOK_SECRET_ROTATION_HOURS
        self.previous_secret = self.secret if hours > 0 else ""
        self.previous_secret_expires_at = now + timedelta(hours=hours) if hours > 0 else None
        self.secret = new_webhook_secret()
        self.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
        return self.secret

    def drop_expired_secret(self, now: datetime | None = None) -> None:
        """Forget the previous secret once its grace period is over (not kept longer than
        needed)."""
        if self.previous_secret and not self._previous_is_valid(now or timezone.now()):
            self.previous_secret = ""
            self.previous_secret_expires_at = None
            self.save(update_fields=["previous_secret", "previous_secret_expires_at"])


class WebhookDelivery(models.Model):
    """One event for one endpoint: its payload and how delivering it went."""

    office = office_field(verbose_name=_("office"))
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("event"), max_length=50)
    payload = models.JSONField(_("payload"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_status = models.PositiveSmallIntegerField(_("last status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    objects = OfficeManager["WebhookDelivery"]()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"

    @property
    def webhook_id(self) -> str:
        """The ``webhook-id`` header: the event's id, the same on every retry, so a receiver
        drops a repeat."""
        event_id = self.payload.get("id") if isinstance(self.payload, dict) else None
        return f"msg_{event_id}" if event_id else f"msg_delivery_{self.pk}"


class ChangeAction(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    DELETED = "deleted", _("deleted")
    READ = "read", _("read by a client")


class Change(models.Model):
    """One entry of the changes feed (``GET /api/v1/changes/``): something the API shows was
    created, changed, deleted or read by a client. Written by the receivers of ``changes`` in
    the transaction of the change itself, so it commits (or rolls back) with it. The primary
    key is the feed's sequence; ``dossier_id`` is a plain number, not a foreign key, so the
    history of a deleted dossier stays until it is pruned (``CHANGES_RETENTION_DAYS``)."""

    office = office_field(verbose_name=_("office"))
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    resource = models.CharField(_("resource"), max_length=30)
    object_id = models.BigIntegerField(_("object"))
    dossier_id = models.BigIntegerField(_("dossier"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=ChangeAction.choices)

    objects = OfficeManager["Change"]()

    class Meta:
        ordering = ["pk"]
        # The feed's query: one office's changes after a sequence number, in order.
        indexes = [models.Index(fields=["office", "id"], name="api_change_office_seq")]
        verbose_name = _("change")
        verbose_name_plural = _("changes")

    def __str__(self) -> str:
        return f"{self.resource} {self.object_id} {self.action}"
