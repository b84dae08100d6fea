"""Every model admin and inline of the portal is one of these: what the admin shows and lets
change is decided by the role (``portal.accounts.roles``, through the site's
``has_permission``, see ``gate``), never by Django's model permissions or ``is_superuser``.
A model admin narrows this further (read-only logs, one office) by and-ing with ``super()``."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class RoleChecked:
    """The admin's five permission questions, all answered by the site's role check."""

    admin_site: admin.AdminSite

    def _configures(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._configures(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._configures(request)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return self._configures(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._configures(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._configures(request)


class ConfigurationAdmin(RoleChecked, admin.ModelAdmin):
    """A model office administrators configure here."""


class ReadOnly(RoleChecked):
    """A record office administrators consult here; it is made and changed elsewhere (the
    workspace, the portal's own processes), never in the admin."""

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class StackedInline(RoleChecked, admin.StackedInline):
    pass


class ReadOnlyInline(RoleChecked, admin.TabularInline):
    """Rows shown with a read-only record."""

    extra = 0

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self.fields

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
