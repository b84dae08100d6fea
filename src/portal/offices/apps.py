from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficesConfig(AppConfig):
    name = "portal.offices"
    label = "offices"
    verbose_name = _("Office")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, pre_save

        from portal.core import rls
        from portal.core.scoping import check_office_on_save

        from . import signals, task_office  # noqa: F401

        pre_save.connect(check_office_on_save, dispatch_uid="office_data_check")
        # PostgreSQL's row-level security: the policies after each migrate, and the context's
        # office handed to every connection.
        post_migrate.connect(rls.on_post_migrate, sender=self, dispatch_uid="office_rls_policies")
        rls.install()
