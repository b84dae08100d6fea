from django.dispatch import Signal

# Sent after commit when the office has published a document (kwargs: document). The
# notifications app turns it into an e-mail to the dossier's clients (connected in apps.py).
document_published = Signal()

# Sent after commit when a client has supplied a document (kwargs: document): with a message,
# for an upload request or as a questionnaire's PDF. The API turns it into a webhook.
document_supplied = Signal()
