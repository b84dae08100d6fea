from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .signals import document_published


class DocumentsConfig(AppConfig):
    name = "portal.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        # In ready(): importing the receivers imports models, which the app registry loads first.
        from portal.notifications import events

        # checks registers the system checks; previews removes page images with their preview.
        from . import checks, previews  # noqa: F401

        document_published.connect(
            events.on_document_published, dispatch_uid="notify_document_published"
        )
