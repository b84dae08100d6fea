from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficesConfig(AppConfig):
    name = "portal.offices"
    label = "offices"
    verbose_name = _("Office")

    def ready(self) -> None:
        from . import signals  # noqa: F401
