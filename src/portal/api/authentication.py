"""Bearer-token authentication for the API (R-OFF-6): ``Authorization: Bearer kp_…``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from portal.accounts.roles import is_staff_member
from portal.integrations.models import ApiToken
from portal.offices.models import Office

LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """The token must be active, belong to the office this deployment serves, and act as an
    active staff member. ``request.user`` is that staff member, ``request.auth`` the token."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        keyword, _sep, raw = header.partition(" ")
        if keyword.lower() != self.keyword.lower() or not raw.strip():
            raise exceptions.AuthenticationFailed(_("Send the token as 'Bearer <token>'."))
        token = ApiToken.lookup(raw.strip())
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if token.office_id != Office.cached().pk:
            # Bound to another office: reaches nothing here.
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        user = token.acting_user
        if not is_staff_member(user):
            raise exceptions.AuthenticationFailed(_("The token's staff member is not active."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            # "Last used" to the minute: one UPDATE a minute per token, not one per call (every
            # call is in the audit trail anyway).
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return (user, token)

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) without or with a bad token.
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API token (kp_…)."}
