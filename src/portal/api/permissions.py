"""Permissions of the API (R-OFF-6), decided by ``portal.accounts.roles``."""

from __future__ import annotations

from django.conf import settings
from rest_framework.permissions import BasePermission

from portal.accounts.roles import Capability, can, token_can
from portal.twofactor.login import is_verified


class OfficeWork(BasePermission):
    """A call with a valid API token: the token acts with the office's authority for daily
    work (``roles.token_can``)."""

    #: Read by the schema (api.schema): a token that authenticates may work, so this refuses
    #: only calls without a valid token, and those are answered 401 (no 403 to document).
    may_refuse_a_valid_token = False

    def has_permission(self, request, view) -> bool:
        return token_can(request.auth, Capability.WORK)


class StaffOrToken(BasePermission):
    """The API's own pages: a valid API token, or a staff session that passed the second
    factor."""

    def has_permission(self, request, view) -> bool:
        if settings.API_DOCS_PUBLIC:
            return True
        if request.auth is not None:  # set by ApiTokenAuthentication only
            return token_can(request.auth, Capability.READ_API_DOCS)
        return can(request.user, Capability.READ_API_DOCS) and is_verified(request._request)


class OfficeConfiguration(BasePermission):
    """A call with a token that may configure the office (webhook endpoints): issued with
    ``may_configure`` and acting as an office administrator (``roles.token_can``)."""

    def has_permission(self, request, view) -> bool:
        return token_can(request.auth, Capability.CONFIGURE)
