"""The office of a request comes from its host name (R-TEN-1): set in the context for the
whole request (``portal.core.tenancy``), so every query, e-mail and task of the request is that
office's. An unknown host gets a plain 404 (with ``OFFICE_FALLBACK``, in development and the
tests: the first office); a suspended office's pages say the portal is unavailable (503).

A session belongs to the office it was made at (R-TEN-3): a cookie of one office's host sent to
another's starts an empty session there, and the account it named is not found there either
(accounts are the office's)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.core import tenancy

from .models import Office

SESSION_KEY = "_office_id"

HOSTING_PREFIX = "/hosting/"

# The probes: on every host and on none (the load balancer asks by address), without the
# database (liveness), and with no account (no office: no one is signed in).
OFFICELESS_PREFIXES = ("/health/",)


def _host_name(request: HttpRequest) -> str:
    host = request.get_host()
    if host.startswith("["):  # an IPv6 literal with or without port
        return host[: host.index("]") + 1]
    return host.rsplit(":", 1)[0] if ":" in host else host


def _unknown_host() -> HttpResponse:
    return HttpResponseNotFound("Not found.\n", content_type="text/plain; charset=utf-8")


class OfficeMiddleware:
    """Choose the request's office by host name; before the session and the authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(OFFICELESS_PREFIXES):
            with tenancy.no_office():
                return self.get_response(request)
        host = _host_name(request)
        if host in settings.HOSTING_HOSTS:
            # The hosting administrators' site and nothing else; never an office's pages.
            if not request.path_info.startswith(HOSTING_PREFIX):
                return _unknown_host()
            with tenancy.cross_office():
                return self.get_response(request)
        if request.path_info.startswith(HOSTING_PREFIX):
            return _unknown_host()
        office = Office.for_host(host)
        if office is None and settings.OFFICE_FALLBACK:
            office = Office.first_or_create()
        if office is None:
            return _unknown_host()
        with tenancy.office_scope(office):
            request.office = office  # type: ignore[attr-defined]
            if office.is_suspended:
                return _suspended(request, office)
            return self.get_response(request)


def _suspended(request: HttpRequest, office: Office) -> HttpResponse:
    """Every page of a suspended office: temporarily unavailable (503), as problem details
    (the API's one error format) under /api/."""
    detail = _(
        "The portal of this office is temporarily unavailable. Nothing that was saved has been "
        "lost."
    )
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {
                "type": "urn:klantportaal:problem:unavailable",
                "title": _("Temporarily unavailable"),
                "status": 503,
                "detail": detail,
            },
            status=503,
            content_type="application/problem+json",
        )
    return render(
        request,
        "offices/suspended.html",
        {"office": office, "title": _("Temporarily unavailable")},
        status=503,
    )


class SessionOfficeMiddleware:
    """After the session middleware: a session made at another office is not this one's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        office_id = tenancy.current_office_id()
        session = getattr(request, "session", None)
        if session is not None and office_id is not None:
            owner = session.get(SESSION_KEY)
            if owner is not None and owner != office_id:
                # A fresh session of this office; the other office's session is left alone.
                request.session = session.__class__()
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (
            session is not None
            and office_id is not None
            and session.modified
            and not session.is_empty()
            and session.get(SESSION_KEY) != office_id
        ):
            session[SESSION_KEY] = office_id
        return response
