"""Request types for the type checker."""

from __future__ import annotations

from django.http import HttpRequest

from portal.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request that passed the login: ``user`` is a signed-in ``User``.

    Views behind ``LoginRequiredMiddleware`` (every view not marked ``login_not_required``)
    and the staff gate take this; the runtime object is Django's ordinary request."""

    user: User
