from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficesConfig(AppConfig):
    name = "portal.offices"
    label = "offices"
    verbose_name = _("Office")

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from portal.core.scoping import check_office_on_save

        from . import signals, task_office  # noqa: F401

        pre_save.connect(check_office_on_save, dispatch_uid="office_data_check")
