from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .signals import message_sent


class MessagingConfig(AppConfig):
    name = "portal.messaging"
    label = "messaging"
    verbose_name = _("Messages")

    def ready(self) -> None:
        # In ready(): importing the receivers imports models, which the app registry loads first.
        from portal.notifications import events

        message_sent.connect(events.on_message_sent, dispatch_uid="notify_message_sent")
