"""Second factors (R-ME-2, R-X-2) on django-otp's device base.

- ``SmsDevice``: a mobile number (E.164). A code is sent by SMS; only a hash of the code, bound
  to a random nonce kept in the session of that setup or that login attempt, is stored. A code
  is valid for ``SMS_CODE_MINUTES`` and works once. Wrong codes are throttled (django-otp's
  ``ThrottlingMixin``: after n failures a wait of 2^(n-1) seconds).
- The authenticator app is django-otp's own ``TOTPDevice`` (which refuses a replayed code).
- ``RecoveryDevice`` with its ``RecoveryCode`` rows: codes shown once, stored as SHA-256 hashes,
  each usable once. (django-otp's static tokens are stored in plain text, hence our own.)
- ``SmsCodeSent``: one row per code sent, to limit the codes per number per hour.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from portal.core.scoping import OfficeManager, office_field


def code_hash(*parts: str) -> str:
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


class SmsDevice(ThrottlingMixin, Device):
    # django_otp ships no types, so the plugin cannot see these as model fields: annotated here.
    number: models.CharField[str, str] = models.CharField(_("mobile number"), max_length=20)
    challenge_hash: models.CharField[str, str] = models.CharField(max_length=64, blank=True)
    challenge_expires: models.DateTimeField[datetime | None, datetime | None] = (
        models.DateTimeField(null=True, blank=True)
    )
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(auto_now_add=True)
    objects: ClassVar[models.Manager[SmsDevice]]  # django_otp's DeviceManager

    class Meta(Device.Meta):
        verbose_name = _("SMS device")
        verbose_name_plural = _("SMS devices")

    def get_throttle_factor(self) -> int:
        return settings.OTP_THROTTLE_FACTOR

    @property
    def masked_number(self) -> str:
        return f"{self.number[:3]}{'•' * max(0, len(self.number) - 5)}{self.number[-2:]}"


class RecoveryDevice(ThrottlingMixin, Device):
    created_at: models.DateTimeField[datetime, datetime] = models.DateTimeField(auto_now_add=True)
    objects: ClassVar[models.Manager[RecoveryDevice]]  # django_otp's DeviceManager

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return settings.OTP_THROTTLE_FACTOR


class RecoveryCode(models.Model):
    office = office_field(verbose_name=_("office"))
    device = models.ForeignKey(RecoveryDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = OfficeManager["RecoveryCode"]()

    class Meta:
        indexes = [models.Index(fields=["device", "code_hash"])]

    def __str__(self) -> str:
        return f"recovery code {self.pk}"


class SmsCodeSent(models.Model):
    office = office_field(verbose_name=_("office"))
    number = models.CharField(max_length=20, db_index=True)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = OfficeManager["SmsCodeSent"]()

    def __str__(self) -> str:
        return f"code sent {self.sent_at:%Y-%m-%d %H:%M}"
