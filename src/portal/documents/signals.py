from django.dispatch import Signal

# Sent after commit when the office has published a document (kwargs: document). The
# notifications issue turns it into an e-mail to the dossier's clients.
document_published = Signal()
