"""The hosting administrators' site (R-TEN-4): the offices of the installation, their host names
and usage, across offices. Served only on ``HOSTING_HOSTS`` (never on an office's host name,
where the office middleware answers 404), under ``cross_office()``, to a hosting administrator
(an account of no office, ``manage.py hosting_admin``) who logged in with password and
authenticator code. Read only: offices are added, suspended, resumed and exported with
``manage.py office``, whose steps are audited in the office concerned."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.admin import OTPAdminAuthenticationForm
from django_otp.models import Device

from portal.accounts.models import Client
from portal.core import tenancy
from portal.dossiers.models import Dossier
from portal.offices.models import Office, OfficeHost


def _verified(request: HttpRequest) -> bool:
    """The session passed the authenticator code of one of the user's own devices."""
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == request.user.pk


class HostingAdminSite(AdminSite):
    site_header = _("Klantportaal hosting")
    site_title = _("Klantportaal hosting")
    index_title = _("Offices")
    login_form = OTPAdminAuthenticationForm
    login_template = "otp/admin111/login.html"
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            tenancy.is_cross_office()
            and user.is_active
            and getattr(user, "is_superuser", False)
            and getattr(user, "office_id", 0) is None
            and _verified(request)
        )


hosting_site = HostingAdminSite(name="hosting")


def _count(model: type[Model]) -> Subquery:
    rows = (
        model._base_manager.filter(office=OuterRef("pk"))
        .order_by()
        .values("office")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(rows, output_field=IntegerField())


class OfficeHostInline(admin.TabularInline):
    model = OfficeHost
    extra = 0
    fields = ["name", "primary"]
    readonly_fields = ["name", "primary"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Office, site=hosting_site)
class HostedOfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "hosts_list", "suspended_at", "clients", "dossiers"]
    fields = ["name", "email_sender", "suspended_at"]
    readonly_fields = ["name", "email_sender", "suspended_at"]
    inlines = [OfficeHostInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Office]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related("hosts")
            .annotate(client_count=_count(Client), dossier_count=_count(Dossier))
        )

    @admin.display(description=_("host names"))
    def hosts_list(self, office: Office) -> str:
        return ", ".join(host.name for host in office.hosts.all())

    @admin.display(description=_("clients"))
    def clients(self, office: Office) -> int:
        return getattr(office, "client_count", None) or 0

    @admin.display(description=_("dossiers"))
    def dossiers(self, office: Office) -> int:
        return getattr(office, "dossier_count", None) or 0

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
