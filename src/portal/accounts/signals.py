from django.dispatch import Signal

# Sent after commit when an invited client confirmed their address (kwargs: user). The API
# turns it into a webhook.
invitation_accepted = Signal()
