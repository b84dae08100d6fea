from django.dispatch import Signal

# Sent after commit when a message was sent (kwargs: message). The notifications issue turns an
# office message into an e-mail to the dossier's clients; the API issue into a webhook.
message_sent = Signal()
