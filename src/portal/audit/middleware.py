"""Denials in the audit trail (ASVS V8/V16): every refused request is recorded with who,
what, when and from where.

A denial is an answer 401 (no or a bad API token), 403 (no permission, CSRF failure, missing
second factor), 429 (locked out or rate-limited), or 404 on a known route for a signed-in user
or an API caller — the portal answers "not found" for an object the user may not see, so that
is where an attempt to reach someone else's dossier shows. A 404 of an anonymous visitor is
noise (scanners) and is not recorded.

Recorded: the status, the method and the route *pattern* with its numeric arguments — never the
path itself, which may carry a single-use token (``/welkom/<token>/``), and never a query string.
Code that records a more specific entry for its own refusal sets ``request.audit_denial_recorded``
so that the refusal is not recorded twice (the API records every call with its status; the rate
limiter its first refusal per window). A visitor who is not signed in is recorded once per
address, route and status a minute (``ANONYMOUS_WINDOW``): a flood of forged posts cannot fill
the trail, and every refusal still reaches the log."""

from __future__ import annotations

import logging

from django.core.cache import cache

from portal.core import tenancy

from .context import client_ip
from .models import related_model
from .services import record

log = logging.getLogger("portal.audit.denied")

DENIED = {401, 403, 429}
ANONYMOUS_WINDOW = 60  # seconds
# Route arguments that are safe to keep (numbers and tab names); any other is left out.
SAFE_ARGUMENTS = {"tab"}


def _user(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def is_denial(request, status: int) -> bool:
    if status in DENIED:
        return True
    return status == 404 and request.resolver_match is not None and _user(request) is not None


def _arguments(match) -> dict:
    return {
        name: value
        for name, value in match.kwargs.items()
        if isinstance(value, int) or name in SAFE_ARGUMENTS
    }


def _dossier(match):
    """The dossier a denied route names (``…/dossiers/<int:pk>/…``, client side and workspace),
    so that the denial shows in that dossier's trail too."""
    if "dossiers/<int:pk>" not in match.route or not isinstance(match.kwargs.get("pk"), int):
        return None
    return related_model("dossier").objects.filter(pk=match.kwargs["pk"]).first()


class DenialAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            is_denial(request, response.status_code)
            and not getattr(request, "audit_denial_recorded", False)
            # The trail is an office's: a refusal served with no office (a probe's path) is
            # in the request log only.
            and tenancy.chosen_office() is not None
        ):
            self._record(request, response.status_code)
        return response

    @staticmethod
    def _first_in_window(request, status: int) -> bool:
        match = request.resolver_match
        route = match.view_name if match is not None else ""
        key = f"audit-denied:{client_ip(request)}:{status}:{route}"
        try:
            return cache.add(key, 1, ANONYMOUS_WINDOW)
        except Exception:  # the cache is down: record (the trail errs on the side of more)
            return True

    def _record(self, request, status: int) -> None:
        match = request.resolver_match
        details = {"status": status, "method": request.method}
        dossier = None
        if _user(request) is None and not self._first_in_window(request, status):
            log.warning("request denied", extra={"status": status, "method": request.method})
            return
        if match is not None:
            details["route"] = match.view_name
            details["arguments"] = _arguments(match)
            dossier = _dossier(match)
        try:
            record("request.denied", actor=_user(request), dossier=dossier, **details)
        except Exception:  # the refusal stands even if the trail cannot be written (database down)
            log.exception("could not record a denial")
        log.warning(
            "request denied",
            extra={"status": status, "method": request.method, "route": details.get("route", "")},
        )
