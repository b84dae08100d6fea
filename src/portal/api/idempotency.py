"""``Idempotency-Key`` (R-OFF-6): a repeated POST with the same key and token gets the stored
first response and creates nothing twice; the same key with another request is a 422
(problem type ``idempotency-key-reused``), a key over 255 characters a 400."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from portal.integrations.models import ApiToken, IdempotencyRecord

from .problems import IdempotencyKeyReused

HEADER = "Idempotency-Key"


def request_hash(request) -> str:
    """A fingerprint of method, path and the parsed body (files by their content)."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.data
    items = []
    if hasattr(data, "lists"):
        for key, values in sorted(data.lists()):
            items.append([key, [_value_repr(value) for value in values]])
    else:
        items = data
    for key, files in sorted(request.FILES.lists()):  # a JSON body has none
        items.append([key, [_value_repr(f) for f in files]])
    digest.update(json.dumps(items, cls=DjangoJSONEncoder, sort_keys=True).encode())
    return digest.hexdigest()


def _value_repr(value):
    if hasattr(value, "chunks"):
        file_hash = hashlib.sha256()
        for chunk in value.chunks():
            file_hash.update(chunk)
        value.seek(0)
        return f"file:{getattr(value, 'name', '')}:{file_hash.hexdigest()}"
    return value


_Handler = TypeVar("_Handler", bound=Callable[..., Response])


def idempotent(handler: _Handler) -> _Handler:
    """Decorate a POST handler of an API view."""

    @functools.wraps(handler)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return handler(self, request, *args, **kwargs)
        if len(key) > 255:
            message = _("The Idempotency-Key may have at most 255 characters.")
            raise ValidationError({HEADER: [message]})
        fingerprint = request_hash(request)
        token = cast(ApiToken, request.auth)  # the API's only authentication
        found = IdempotencyRecord.objects.filter(token=token, key=key).first()
        if found is not None:
            return _replay(found, request, fingerprint)
        try:
            with transaction.atomic():
                response = handler(self, request, *args, **kwargs)
                if response.status_code >= 500:
                    return response
                body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
                IdempotencyRecord.objects.create(
                    token=token,
                    key=key,
                    method=request.method or "",
                    path=request.path[:500],
                    request_hash=fingerprint,
                    response_status=response.status_code,
                    response_body=body,
                )
        except IntegrityError:
            # A parallel request with the same key won: its transaction (with what it made)
            # committed, ours rolled back.
            found = IdempotencyRecord.objects.filter(token=token, key=key).first()
            if found is None:
                raise
            return _replay(found, request, fingerprint)
        return response

    # Read by the schema (api.schema): the operation documents its 422.
    wrapper.idempotent = True  # type: ignore[attr-defined]
    return cast(_Handler, wrapper)


def _replay(found: IdempotencyRecord, request, fingerprint: str) -> Response:
    if found.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    response = Response(found.response_body, status=found.response_status)
    response["Idempotent-Replayed"] = "true"
    return response
