"""Dossiers in the admin: read only. Dossiers, their progress and who has access are daily work,
done in the workspace through the dossier services; an office administrator can look them up
here next to the audit trail."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from portal.adminsite.base import ReadOnlyAdmin, ReadOnlyInline
from portal.dossiers.models import Dossier, DossierAccess, ProgressStep


class ProgressStepInline(ReadOnlyInline):
    model = ProgressStep
    fields = ["position", "title", "done", "done_at"]
    ordering = ["position", "pk"]


class DossierAccessInline(ReadOnlyInline):
    model = DossierAccess
    fields = ["client", "granted_at", "granted_by"]
    verbose_name = _("client with access")
    verbose_name_plural = _("clients with access")


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ["number", "description", "status", "handler", "steps_label", "created_at"]
    list_filter = ["status", "handler"]
    search_fields = ["number", "description", "grants__client__name"]
    list_select_related = ["status", "handler"]
    inlines = [ProgressStepInline, DossierAccessInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_steps=Count("steps"), n_done=Count("steps", filter=Q(steps__done=True)))
        )

    @admin.display(description=_("Progress"))
    def steps_label(self, obj) -> str:
        return f"({obj.n_done}/{obj.n_steps})"
