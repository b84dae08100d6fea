"""Migration steps that give existing rows an office (R-TEN-4: a single-office installation
upgrades to one office holding all its data)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def first_office(apps: Any) -> Any:
    """The office existing rows belong to: the first, made if there is none."""
    office_model = apps.get_model("offices", "Office")
    office = office_model.objects.order_by("pk").first()
    if office is None:
        office = office_model.objects.create()
    return office


def give_rows_an_office(app_label: str, *model_names: str) -> migrations.RunPython:
    """Set ``office`` of every row of the models that has none to the first office."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        models = [apps.get_model(app_label, name) for name in model_names]
        if not any(model.objects.filter(office__isnull=True).exists() for model in models):
            return
        office = first_office(apps)
        for model in models:
            model.objects.filter(office__isnull=True).update(office=office)

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)


def host_of_base_url(apps: Any, schema_editor: Any) -> None:
    """The existing office is served where the installation was: the host of
    ``PORTAL_BASE_URL`` becomes its primary host name (if no office has one yet)."""
    office_model = apps.get_model("offices", "Office")
    host_model = apps.get_model("offices", "OfficeHost")
    office = office_model.objects.order_by("pk").first()
    host = (urlsplit(getattr(settings, "PORTAL_BASE_URL", "") or "").hostname or "").lower()
    if office is None or not host or host_model.objects.filter(name=host).exists():
        return
    host_model.objects.create(office=office, name=host, primary=True)
