from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.adminsite.base import ConfigurationAdmin
from portal.audit.display import SENTENCES, describe, label
from portal.audit.models import AuditEntry


class ActionFilter(admin.SimpleListFilter):
    """The actions by their names, not their codes."""

    title = _("what")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = set(SENTENCES) | {"request.denied", "rate_limited"}
        return sorted(((code, label(code)) for code in codes), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ConfigurationAdmin):
    list_display = ["at", "actor_label", "sentence", "dossier", "ip_address"]
    list_filter = [ActionFilter, ("dossier", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["actor_label", "target", "dossier__number"]
    list_select_related = ["dossier"]
    date_hierarchy = "at"

    @admin.display(description=_("what"))
    def sentence(self, entry: AuditEntry) -> str:
        return describe(entry)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
