from django.dispatch import Signal

# Sent after commit when a message was sent (kwargs: message). The notifications app turns an
# office message into an e-mail to the dossier's clients (connected in apps.py); the API into a
# webhook.
message_sent = Signal()
