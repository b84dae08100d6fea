"""The model admins other installed apps register, brought under the role check: the login
protection's records (django-axes) are logs to consult, read only (a lockout ends by itself
after its cool-off); groups and model permissions grant nothing (``roles``), and second-factor
devices are managed through ``twofactor.services`` (the accounts' "turn off two-step
verification"), so neither has a page of its own.

django-axes' records have no office column: the name they count carries the office
(``accounts.lockout.office_key``), and an office's admin lists only its own (R-TEN-3)."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.lockout import office_key
from portal.adminsite.base import ReadOnly


class OwnOfficeRecords:
    """The records counted at this office: those whose name starts with its prefix."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(username__startswith=office_key(""))


for model, model_admin in [
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(
        model, type(model_admin.__name__, (OwnOfficeRecords, ReadOnly, model_admin), {})
    )

for model in (Group, TOTPDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
