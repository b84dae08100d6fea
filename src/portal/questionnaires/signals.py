from django.dispatch import Signal

# Sent after commit when a client has completed a questionnaire (kwargs: action). The API turns
# it into a webhook.
questionnaire_completed = Signal()

# Sent after commit when the office has sent a questionnaire or an upload request to a client
# (kwargs: dossier, client). The notifications app tells that client's accounts.
questionnaire_sent = Signal()

# Sent inside the transaction when a questionnaire or upload request was changed by a
# compare-and-set UPDATE, which sends no post_save (kwargs: action). The changes feed records
# it in the same transaction.
action_updated = Signal()

# Sent after commit when a client has answered an approval request, "Akkoord" or "Niet akkoord"
# (kwargs: action, approval). The integrations app turns it into the webhook
# ``approval.answered``.
approval_answered = Signal()
