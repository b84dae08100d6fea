"""Rate limits of the API (R-OFF-6): DRF's cache-based throttles, per API token
(``API_RATE_PER_TOKEN``) and, for calls without a valid token, per client address
(``API_RATE_PER_ADDRESS``, the same address as the login lockout and the audit trail use) so
that guessing tokens is limited too. A refused call gets DRF's 429 with ``Retry-After`` (a
problem-details body, ``api.problems``; every operation documents it, ``api.schema``).

DRF checks throttles after authentication and permissions, so a call with a wrong token or none
would be answered 401 without ever being counted; ``ApiViewMixin`` therefore runs the throttles
for those calls before answering 401 (see ``perform_authentication`` and ``check_permissions``
there)."""

from __future__ import annotations

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from portal.accounts.ratelimits import address_key
from portal.audit.services import record

log = logging.getLogger("portal.ratelimit")


class _PortalThrottle(SimpleRateThrottle):
    #: The Django setting that holds the rate (read per request, so tests can change it).
    setting = ""
    #: Seconds in the rate's window, set by SimpleRateThrottle from the rate.
    duration: int

    def get_rate(self) -> str:
        return getattr(settings, self.setting)

    def allow_request(self, request, view) -> bool:
        try:
            allowed = super().allow_request(request, view)
        except Exception:
            # The cache is down: let the call through rather than fail it (logged).
            log.exception("API throttle %s not counted: the cache failed", self.scope)
            return True
        if not allowed:
            self._refused(request)
        return allowed

    def _refused(self, request) -> None:
        log.warning("rate limited: API by %s", self.scope)
        try:
            first = self.cache.add(f"{self.key}:refused", 1, self.duration)
        except Exception:
            first = False
        if first:
            # The first refusal of this key in the window goes into the audit trail (every
            # call, refused or not, is recorded as api.<method> with its status as well).
            token = request.auth
            record(
                "rate_limited",
                actor_label=token.name if token is not None else None,
                target=request.path,
                scope=self.scope,
                path=request.path,
                token=token.prefix if token is not None else None,
            )


class TokenThrottle(_PortalThrottle):
    """Calls with a valid API token, counted per token."""

    scope = "api_token"
    setting = "API_RATE_PER_TOKEN"

    def get_cache_key(self, request, view) -> str | None:
        token = request.auth
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class AddressThrottle(_PortalThrottle):
    """Calls without a valid token (none, wrong, revoked), counted per client address."""

    scope = "api_address"
    setting = "API_RATE_PER_ADDRESS"

    def get_cache_key(self, request, view) -> str | None:
        if request.auth is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": address_key(request)}
