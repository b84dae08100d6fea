"""The model admins other installed apps register, brought under the role check: the login
protection's records (django-axes) are logs to consult, read only (a lockout ends by itself
after its cool-off); groups and model permissions grant nothing (``roles``), and second-factor
devices are managed through ``twofactor.services`` (the accounts' "turn off two-step
verification"), so neither has a page of its own."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import User
from portal.adminsite.base import ReadOnly


class OfficeLoginRecords:
    """django-axes' records have no office column: they name the address typed at the login
    (lower case, ``accounts.lockout``). An office's administrator sees those that name one of
    the office's accounts, never another office's logins."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        addresses = User.objects.annotate(address=Lower("email")).values("address")
        return super().get_queryset(request).filter(username__in=addresses)  # type: ignore[misc]


for model, model_admin in [
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(
        model, type(model_admin.__name__, (OfficeLoginRecords, ReadOnly, model_admin), {})
    )

for model in (Group, TOTPDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
