from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "portal.exports"
    label = "exports"
    verbose_name = _("Data exports")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from .models import DataExport
        from .receivers import remove_file

        post_delete.connect(remove_file, sender=DataExport, dispatch_uid="export_remove_file")
