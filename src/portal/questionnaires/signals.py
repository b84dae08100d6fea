from django.dispatch import Signal

# Sent after commit when a client has completed a questionnaire (kwargs: action). The API turns
# it into a webhook.
questionnaire_completed = Signal()
