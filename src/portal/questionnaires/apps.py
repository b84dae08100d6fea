from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .signals import questionnaire_sent


class QuestionnairesConfig(AppConfig):
    name = "portal.questionnaires"
    label = "questionnaires"
    verbose_name = _("Actions")

    def ready(self) -> None:
        # In ready(): importing the receivers imports models, which the app registry loads first.
        from portal.notifications import events

        questionnaire_sent.connect(
            events.on_questionnaire_sent, dispatch_uid="notify_questionnaire_sent"
        )
