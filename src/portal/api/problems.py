"""One error format for the whole API (R-OFF-6): problem details, RFC 9457.

Every 4xx and 5xx answer under ``/api/`` is ``application/problem+json``::

    {"type": "urn:klantportaal:problem:invalid", "title": "Invalid request", "status": 400,
     "detail": "number: A dossier with this number exists.",
     "errors": {"number": ["A dossier with this number exists."]}}

``type`` names the kind of problem (``KINDS``, stable: a client may switch on it), ``title``
says it in words, ``detail`` says what went wrong this time; both in the caller's language
(``api.language``). A 400 always has ``errors``: every field's messages, nested fields as
dotted paths (``steps.2.title``: the third step's title). A 5xx says nothing of its cause.

Three ways in, one body: ``exception_handler`` (DRF's ``EXCEPTION_HANDLER``) for what the API's
views raise; ``page_not_found``, ``bad_request`` and ``server_error`` for what Django answers
itself under ``/api/`` (an unknown address, an unreadable request, an uncaught exception, which
Django has logged with its traceback first); ``portal.errors`` hands those to them."""

from __future__ import annotations

import http
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from portal.files.upload_handlers import UploadStopped

from .language import api_language

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:klantportaal:problem:"


@dataclass(frozen=True)
class Kind:
    """A kind of problem: its ``type`` is ``TYPE_PREFIX`` + ``slug``."""

    slug: str
    status: int
    title: str | Promise
    #: For the schema and the README: when the API answers with it (English).
    meaning: str

    @property
    def type(self) -> str:
        # A status of no kind of ours (none is answered today): RFC 9457's "nothing more than
        # the status says".
        return TYPE_PREFIX + self.slug if self.slug else "about:blank"


KINDS = {
    kind.slug: kind
    for kind in (
        Kind(
            "invalid",
            400,
            _("Invalid request"),
            "A field, query parameter or header is invalid: `errors` has each one's messages.",
        ),
        Kind(
            "malformed",
            400,
            _("Unreadable request"),
            "The body cannot be read (not JSON, a broken multipart body); `errors` is empty.",
        ),
        Kind(
            "not-authenticated",
            401,
            _("No valid API token"),
            "No token, or one that is unknown, revoked or not of this office.",
        ),
        Kind("permission-denied", 403, _("Not allowed"), "The token may not do this."),
        Kind(
            "not-found",
            404,
            _("Not found"),
            "Nothing at this address for this token (another office's object is not found "
            "either), or a `cursor` that is not one of ours.",
        ),
        Kind(
            "method-not-allowed",
            405,
            _("Method not allowed"),
            "The address does not take this HTTP method.",
        ),
        Kind(
            "not-acceptable",
            406,
            _("Response format not available"),
            "The Accept header names no format this operation answers in.",
        ),
        Kind(
            "cursor-expired",
            410,
            _("Cursor expired"),
            "The changes feed no longer holds what follows this cursor (or `since`): load "
            "everything again through the lists, then follow the feed from a new cursor.",
        ),
        Kind(
            "too-large",
            413,
            _("Request too large"),
            "More (or larger) files than the upload limits allow; the body was not read.",
        ),
        Kind(
            "unsupported-media-type",
            415,
            _("Unsupported request format"),
            "The body's Content-Type is not one this operation reads.",
        ),
        Kind(
            "idempotency-key-reused",
            422,
            _("Idempotency-Key reused"),
            "The Idempotency-Key was used before by this token for a different request.",
        ),
        Kind(
            "throttled",
            429,
            _("Too many requests"),
            "Rate-limited: wait the seconds of the Retry-After header.",
        ),
        Kind(
            "server-error",
            500,
            _("Server error"),
            "Something failed on the portal's side (logged there); try again later.",
        ),
        Kind(
            "unavailable",
            503,
            _("Temporarily unavailable"),
            "The portal is briefly unavailable: try again after the Retry-After seconds.",
        ),
    )
}
#: The kind of a status that has only one (400: "invalid" unless the body was unreadable).
_BY_STATUS = {
    kind.status: kind
    for kind in KINDS.values()
    if kind.slug not in ("malformed", "idempotency-key-reused")
}
#: The keys of a validation error that belong to no field.
_NON_FIELD = {api_settings.NON_FIELD_ERRORS_KEY, "detail"}


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was used for a different request.")
    default_code = "idempotency-key-reused"


class CursorExpired(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = _(
        "The changes after this cursor are no longer kept. Load everything again, then follow "
        "the changes from a new cursor."
    )
    default_code = "cursor-expired"


def problem(
    kind: Kind, detail: str, *, status_code: int | None = None, errors: dict | None = None
) -> dict[str, Any]:
    """The body: ``errors`` on every 400 (empty when no field is to blame)."""
    code = status_code or kind.status
    body: dict[str, Any] = {"type": kind.type, "title": str(kind.title), "status": code}
    body["detail"] = detail
    if code == status.HTTP_400_BAD_REQUEST:
        body["errors"] = errors or {}
    return body


def field_errors(detail: Any) -> tuple[list[str], dict[str, list[str]]]:
    """A DRF validation error's detail as (messages of no field, {dotted field path: messages}).
    Nested serializers and lists become paths (``steps.2.title``); a nested object's own
    errors belong to its path."""
    found: dict[str, list[str]] = {}

    def walk(value: Any, path: str, top: bool) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                name = str(key)
                if name == api_settings.NON_FIELD_ERRORS_KEY or (top and name in _NON_FIELD):
                    walk(inner, path, False)
                else:
                    walk(inner, f"{path}.{name}" if path else name, False)
        elif isinstance(value, list | tuple):
            if all(not isinstance(item, dict | list | tuple) for item in value):
                found.setdefault(path, []).extend(str(item) for item in value)
            else:
                for index, item in enumerate(value):
                    walk(item, f"{path}.{index}" if path else str(index), False)
        else:
            found.setdefault(path, []).append(str(value))

    walk(detail, "", True)
    general = found.pop("", [])
    return general, found


def _validation(exc: exceptions.ValidationError) -> dict[str, Any]:
    general, errors = field_errors(exc.detail)
    lines = general + [
        f"{path}: {message}" for path, messages in errors.items() for message in messages
    ]
    detail = " ".join(lines) or str(exceptions.ValidationError.default_detail)
    return problem(KINDS["invalid"], detail, errors=errors)


def _kind(exc: exceptions.APIException, code: int) -> Kind:
    if isinstance(exc, exceptions.ParseError):
        return KINDS["malformed"]
    slug = exc.default_code if isinstance(exc.default_code, str) else ""
    if slug in KINDS and KINDS[slug].status == code:
        return KINDS[slug]
    return kind_of_status(code)


def kind_of_status(code: int) -> Kind:
    if code in _BY_STATUS:
        return _BY_STATUS[code]
    if code >= 500:
        return KINDS["server-error"]
    return Kind("", code, http.HTTPStatus(code).phrase, "")


def _body(exc: Exception, code: int) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        return _validation(exc)
    if isinstance(exc, Http404) or (
        isinstance(exc, exceptions.NotFound)
        and str(exc.detail) == str(exceptions.NotFound.default_detail)
    ):
        # Django's Http404 carries an English developer's text ("No Dossier matches …").
        return problem(KINDS["not-found"], not_found_detail())
    if isinstance(exc, UploadStopped):
        if code == status.HTTP_404_NOT_FOUND:
            return problem(KINDS["not-found"], not_found_detail())
        kind = kind_of_status(code)
        return problem(kind, exc.message or str(kind.title), status_code=code)
    if isinstance(exc, exceptions.APIException):
        kind = _kind(exc, code)
        if code >= 500:
            return problem(kind, server_error_detail(), status_code=code)
        return problem(kind, str(exc.detail), status_code=code)
    return problem(KINDS["server-error"], server_error_detail())


def not_found_detail() -> str:
    return gettext("There is nothing at this address for this token.")


def server_error_detail() -> str:
    return gettext("Something went wrong on our side; it has been logged. Try again later.")


def _speaks_json(context: dict[str, Any]) -> bool:
    """Whether the view answers in JSON (the API; not the docs page, whose errors are pages)."""
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None:
        return isinstance(renderer, JSONRenderer)
    classes = list(getattr(context.get("view"), "renderer_classes", []))
    return bool(classes) and issubclass(classes[0], JSONRenderer)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: DRF's answer (its status, ``WWW-Authenticate``,
    ``Retry-After``, the rollback) with a problem-details body. Anything DRF does not handle
    is left to Django (logged, then ``server_error``)."""
    if isinstance(exc, UploadStopped):
        # An upload over the limits, refused before the body was read.
        response: Response | None = Response(status=exc.status)
    else:
        response = drf_exception_handler(exc, context)
    if response is None or not _speaks_json(context):
        return response
    body = _body(exc, response.status_code)
    headers = {
        name: value
        for name, value in response.items()
        if name in ("WWW-Authenticate", "Retry-After")
    }
    return Response(body, status=response.status_code, headers=headers, content_type=CONTENT_TYPE)


def as_problem(response: HttpResponseBase) -> None:
    """Make an error that a view answered with a ``Response`` of its own (not raised, so not
    through ``exception_handler``: ``{"detail": …}`` or messages per field) problem details
    as well, before it is rendered: one format whatever the view does."""
    if (
        not isinstance(response, Response)
        or response.status_code < 400
        or response.content_type == CONTENT_TYPE
        or not isinstance(response.accepted_renderer, JSONRenderer)
    ):
        return
    code = response.status_code
    kind = kind_of_status(code)
    if code == status.HTTP_400_BAD_REQUEST:
        body = _validation(exceptions.ValidationError(response.data))
    elif code == status.HTTP_404_NOT_FOUND:
        body = problem(kind, not_found_detail())
    elif code >= 500:
        body = problem(kind, server_error_detail(), status_code=code)
    else:
        data = response.data
        detail = data.get("detail") if isinstance(data, dict) else None
        body = problem(kind, str(detail or kind.title), status_code=code)
    response.data = body
    response.content_type = CONTENT_TYPE


# --- what Django answers itself under /api/ ----------------------------------------------------


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _respond(request: HttpRequest, kind: Kind, detail: Callable[[], str]) -> HttpResponse:
    language = api_language(request)
    with translation.override(language):
        body = problem(kind, detail())
    response = JsonResponse(body, status=kind.status, content_type=CONTENT_TYPE)
    response["Content-Language"] = language
    return response


def page_not_found(request: HttpRequest) -> HttpResponse:
    """An address under /api/ that names no operation."""
    return _respond(request, KINDS["not-found"], not_found_detail)


def bad_request(request: HttpRequest) -> HttpResponse:
    """A request Django refused to read (too many fields, a body too large for a form)."""
    return _respond(request, KINDS["malformed"], lambda: gettext("The request could not be read."))


def server_error(request: HttpRequest, *, unavailable: bool, retry_after: int) -> HttpResponse:
    """An uncaught exception (logged by Django): nothing of it in the answer. A database that
    cannot be reached is a 503 with Retry-After, like the pages'."""
    if unavailable:
        response = _respond(
            request,
            KINDS["unavailable"],
            lambda: gettext("The portal cannot reach its database for a moment. Try again soon."),
        )
        response["Retry-After"] = str(retry_after)
    else:
        response = _respond(request, KINDS["server-error"], server_error_detail)
    response["Cache-Control"] = "no-store"
    return response
