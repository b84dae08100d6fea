"""The model admins other installed apps register, taken off the office's admin site: the login
protection's records (django-axes) hold every office's addresses, with no office to scope them
by (R-TEN-2; an office reads its failed log-ins in its audit trail, and a lockout ends by
itself after its cool-off); groups and model permissions grant nothing (``roles``), and
second-factor devices are managed through ``twofactor.services`` (the accounts' "turn off
two-step verification"), so none has a page of its own."""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (AccessAttempt, AccessLog, AccessFailureLog, Group, TOTPDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
