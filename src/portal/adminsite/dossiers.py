from django.contrib import admin
from django.db.models import Count, Q

from portal.adminsite.base import ConfigurationAdmin, StackedInline
from portal.audit.services import record
from portal.dossiers import services
from portal.dossiers.models import Dossier, DossierAccess, ProgressStep


class ProgressStepInline(StackedInline):
    model = ProgressStep
    extra = 1
    fields = ["position", "title", "done", "done_at"]
    readonly_fields = ["done_at"]
    ordering = ["position", "pk"]


class DossierAccessInline(StackedInline):
    model = DossierAccess
    extra = 1
    fields = ["client", "granted_at", "granted_by"]
    readonly_fields = ["granted_at", "granted_by"]
    autocomplete_fields = ["client"]
    verbose_name = "client with access"
    verbose_name_plural = "clients with access (delete a row to revoke access)"


@admin.register(Dossier)
class DossierAdmin(ConfigurationAdmin):
    list_display = ["number", "description", "status", "handler", "steps_label", "created_at"]
    list_filter = ["status", "handler"]
    search_fields = ["number", "description", "grants__client__name"]
    list_select_related = ["status", "handler"]
    autocomplete_fields = []
    inlines = [ProgressStepInline, DossierAccessInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_steps=Count("steps"), n_done=Count("steps", filter=Q(steps__done=True)))
        )

    @admin.display(description="Voortgang")
    def steps_label(self, obj) -> str:
        return f"({obj.n_done}/{obj.n_steps})"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = "dossier.changed" if change else "dossier.created"
        record(
            action,
            dossier=obj,
            target=obj.number,
            fields=sorted(form.changed_data),
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not DossierAccess:
            steps = form.instance.steps.values_list("title", "done")
            before = [list(step) for step in steps] if change else []
            super().save_formset(request, form, formset, change)
            if formset.has_changed():
                record(
                    "dossier.progress_changed",
                    dossier=form.instance,
                    target=form.instance.number,
                    before=before,
                    after=[list(step) for step in steps.all()],
                )
            return
        # Grants and revocations go through the dossier services (audit on every path).
        dossier = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for sub in formset.forms:
            data = getattr(sub, "cleaned_data", {})
            if data.get("DELETE"):
                if sub.instance.pk:
                    services.revoke_access(
                        dossier=dossier,
                        client=sub.instance.client,
                        by=request.user,
                    )
                    formset.deleted_objects.append(sub.instance)
                continue
            client = data.get("client")
            if client is None or not sub.has_changed():
                continue
            if sub.instance.pk:
                # The row now names another client: revoke the old grant, grant the new one.
                original = DossierAccess.objects.get(pk=sub.instance.pk)
                services.revoke_access(dossier=dossier, client=original.client, by=request.user)
            grant = services.grant_access(dossier=dossier, client=client, by=request.user)
            formset.new_objects.append(grant)
