from django.apps import AppConfig


class MaintenanceConfig(AppConfig):
    # No models and no admin: the label never shows, so it is not translated.
    name = "portal.maintenance"
    label = "maintenance"
