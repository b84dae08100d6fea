from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdminSiteConfig(AppConfig):
    """The office administrators' configuration interface (/beheer/): Django's admin site with
    the model admins of every domain app. Django's autodiscovery imports ``admin`` of this app,
    which registers them all."""

    name = "portal.adminsite"
    label = "adminsite"
    verbose_name = _("Office administration")
