"""The error handlers (``handler400``, ``handler404``, ``handler500`` in ``portal.urls``).

A database that cannot be reached (restarted, failing over, out of connections) is not a bug
of the portal: the request fails with a 503 and a branded "try again in a moment" page with
``Retry-After``, and the next request reconnects by itself (``CONN_HEALTH_CHECKS``). Anything
else is the generic 500 page. Django's request logger has logged the exception once already,
with its traceback, in the server's log; the pages show no error text, host or query.

Under ``/api/`` an integration gets the same answers as problem details in JSON, never a page
(``portal.api.problems``); everywhere else 400 and 404 are Django's own handlers, with the
portal's templates.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation
from django.views import defaults

from portal.api import problems

#: Django's wrappers of the driver's errors for a lost or refused database connection.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
SUPPORTED = {code for code, _name in settings.LANGUAGES}


def _language(request: HttpRequest) -> str:
    """The request's language without the database: the one the language middleware chose
    (if it got that far), else the language cookie, else Dutch."""
    language = getattr(request, "LANGUAGE_CODE", None) or request.COOKIES.get(
        settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE
    )
    return language if language in SUPPORTED else settings.LANGUAGE_CODE


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if problems.is_api(request):
        return problems.bad_request(request)
    return defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if problems.is_api(request):
        return problems.page_not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    if problems.is_api(request):
        return problems.server_error(
            request,
            unavailable=isinstance(exc, DATABASE_UNAVAILABLE),
            retry_after=RETRY_AFTER_SECONDS,
        )
    if not isinstance(exc, DATABASE_UNAVAILABLE):
        return defaults.server_error(request)
    with translation.override(_language(request)):
        # No request context: the context processors (the office's branding) would need the
        # database that just failed.
        body = loader.render_to_string("503.html", {"database_unavailable": True})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
