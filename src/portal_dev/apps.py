from django.apps import AppConfig


class PortalDevConfig(AppConfig):
    name = "portal_dev"
    label = "portal_dev"
    verbose_name = "Development tools"
