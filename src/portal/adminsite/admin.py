"""Registers every model admin with the default admin site (imported by Django's admin
autodiscovery) and puts the site behind the office administrator's check."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import (  # noqa: F401  (importing a module registers its model admins)
    accounts,
    api,
    audit,
    documents,
    dossiers,
    messaging,
    notifications,
    offices,
    questionnaires,
    retention_periods,
    thirdparty,
)
from .gate import protect_admin

admin.site.site_header = _("Klantportaal — office administration")
admin.site.site_title = _("Klantportaal")
protect_admin(admin.site)
