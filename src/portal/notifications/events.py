"""What the apps that send domain events have the notifications app do (R-ME-3).

Each of these receivers is connected by the app that owns the signal, in its ``ready()``: the
notifications app sits below documents, messaging and questionnaires and imports none of them.

- ``documents.signals.document_published`` (after commit): a document published by the office.
- ``messaging.signals.message_sent`` (after commit): only messages from the office
  (``message.is_incoming``) notify the dossier's clients.
- ``questionnaires.signals.questionnaire_sent`` (after commit, with ``dossier=`` and
  ``client=``): the office sent a questionnaire or an upload request to that client; only that
  client's accounts are told.
"""

from __future__ import annotations

from . import services


def on_document_published(sender, document, **kwargs) -> None:
    services.notify(event="document", dossier=document.dossier)


def on_message_sent(sender, message, **kwargs) -> None:
    if message.is_incoming:
        services.notify(event="message", dossier=message.dossier)


def on_questionnaire_sent(sender, dossier, client=None, **kwargs) -> None:
    services.notify(event="questionnaire", dossier=dossier, client=client)
