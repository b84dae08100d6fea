from django.dispatch import Signal

# Sent after commit when a client has completed a questionnaire (kwargs: action). The API turns
# it into a webhook.
questionnaire_completed = Signal()

# Sent after commit when the office has sent a questionnaire or an upload request to a client
# (kwargs: dossier, client). The notifications app tells that client's accounts.
questionnaire_sent = Signal()
