"""What other apps tell the notifications app (R-ME-3).

- ``documents.signals.document_published`` (after commit): a document published by the office.
- ``messaging.signals.message_sent`` (after commit): only messages from the office
  (``message.is_incoming``) notify the dossier's clients.
- ``questionnaire_sent`` (defined here): ``questionnaires.services`` sends it after commit with
  ``dossier=`` and ``client=`` when the office sends a questionnaire or an upload request to
  that client; only that client's accounts are told.
"""

from __future__ import annotations

from django.dispatch import Signal, receiver

from portal.documents.signals import document_published
from portal.messaging.signals import message_sent

from . import services

questionnaire_sent = Signal()


@receiver(document_published, dispatch_uid="notify_document_published")
def on_document_published(sender, document, **kwargs) -> None:
    services.notify(event="document", dossier=document.dossier)


@receiver(message_sent, dispatch_uid="notify_message_sent")
def on_message_sent(sender, message, **kwargs) -> None:
    if message.is_incoming:
        services.notify(event="message", dossier=message.dossier)


@receiver(questionnaire_sent, dispatch_uid="notify_questionnaire_sent")
def on_questionnaire_sent(sender, dossier, client=None, **kwargs) -> None:
    services.notify(event="questionnaire", dossier=dossier, client=client)
