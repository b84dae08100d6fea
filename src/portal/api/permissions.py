"""Permissions of the API's own pages (R-OFF-6)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.permissions import BasePermission

from portal.twofactor.login import is_verified
from portal.workspace.access import is_staff_member


class StaffOrToken(BasePermission):
    """A valid API token, or a staff session that passed the second factor."""

    def has_permission(self, request, view) -> bool:
        if settings.API_DOCS_PUBLIC:
            return True
        if request.auth is not None:  # set by ApiTokenAuthentication only
            return True
        return is_staff_member(request.user) and is_verified(request._request)
