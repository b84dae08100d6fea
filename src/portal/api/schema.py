"""The OpenAPI schema as a generated client needs it (R-OFF-6), for every operation alike, so
that an operation added later needs nothing of its own:

- **errors**: each operation lists the problem-details answers (``api.problems``) it can give,
  as ``Problem`` (or ``ValidationProblem``, with ``errors``, for 400) in
  ``application/problem+json``: 401, 406, 429, 500 and 503 always; 400 when it reads input
  (a body, query parameters besides paging); 403 when a permission can refuse a valid token;
  404 with a path parameter or a cursor; 413 for uploads; 415 with a body; 422 with an
  ``Idempotency-Key``. An error answer a view declares itself gets the same body.
- **names**: operation ids ``<resource>_<action>`` (``dossiers_list``, ``dossiers_create``,
  ``clients_invite``; an action with several methods adds the method's verb:
  ``dossiers_steps_update``), tagged by resource (the first part of the path after
  ``/api/v1/``, whatever tag a view names).
- **English**: the schema is generated in English whatever the caller's language (field
  titles come from the models' translated names)."""

from __future__ import annotations

import re
from typing import Any

from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from .problems import CONTENT_TYPE, KINDS

API_PATH = re.compile(r"^/api/v\d+/")
#: The standard actions of a viewset: ``<resource>_<action>``.
STANDARD_ACTIONS = {"list", "create", "retrieve", "update", "partial_update", "destroy"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
IDEMPOTENCY_HEADER = "Idempotency-Key"

_KIND_LIST = "\n".join(
    f"- `{kind.type}` ({kind.status}): {kind.meaning}" for kind in KINDS.values()
)


class ProblemSerializer(serializers.Serializer):
    """An error (RFC 9457 problem details). `title` and `detail` are in the language of the
    request's Accept-Language: Dutch by default, English with `Accept-Language: en`."""

    type = serializers.CharField(
        help_text="The kind of problem, a stable URI to switch on:\n" + _KIND_LIST
    )
    title = serializers.CharField(help_text="The kind of problem in words.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(help_text="What went wrong in this case.")


class ValidationProblemSerializer(ProblemSerializer):
    """An invalid (400) request: `errors` holds every field's messages."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # Declared here: a class attribute "errors" would hide the serializer's own.
        fields = super().get_fields()
        fields["errors"] = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="The messages per field; a nested field is a dotted path, a list item its "
            "index from 0 (`steps.2.title`). Empty when the body could not be read at all.",
        )
        return fields


PROBLEMS = {
    400: "Invalid request: `errors` has the messages per field.",
    401: "No valid API token (see the WWW-Authenticate header).",
    403: "The token may not do this.",
    404: "Not found: nothing at this address for this token, or an invalid cursor.",
    410: "The cursor (or `since`) is older than the changes kept: load everything again.",
    413: "The upload is larger than the limits allow; nothing was read or stored.",
    415: "The body's Content-Type is not one this operation reads.",
    422: "The Idempotency-Key was used for a different request.",
    406: "No media type in the Accept header is one this operation answers with.",
    429: "Too many calls: wait the number of seconds in Retry-After.",
    500: "An unexpected error; nothing of its cause is told. Try again later.",
    503: "The portal cannot be reached for a moment (see Retry-After).",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before calling again.",
        "schema": {"type": "integer"},
    }
}


class ApiSchema(AutoSchema):
    """``DEFAULT_SCHEMA_CLASS``: the names and the error answers above."""

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None or not API_PATH.match(path):
            return operation
        # The path decides, also over a tag a view names (extend_schema(tags=…) overrides
        # get_tags, hence not self.get_tags): a generated client's module, one per tag, then
        # matches the address.
        operation["tags"] = ApiSchema.get_tags(self)
        responses = operation["responses"]
        declared = {int(code) for code in responses if code[0] in "45"}
        for code in sorted(self._problem_statuses(operation) | declared):
            description = PROBLEMS.get(code) or responses.get(str(code), {}).get("description", "")
            responses[str(code)] = self._problem_response(code, description)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _problem_statuses(self, operation: dict[str, Any]) -> set[int]:
        parameters = operation.get("parameters", [])
        paging = {parameter["name"] for parameter in self._get_pagination_parameters()}
        in_path = any(parameter["in"] == "path" for parameter in parameters)
        in_query = any(
            parameter["in"] == "query" and parameter["name"] not in paging
            for parameter in parameters
        )
        body = operation.get("requestBody", {}).get("content", {})
        idempotent = self._idempotent(parameters)
        statuses = {401, 406, 429, 500, 503}
        if self.method in WRITE_METHODS or in_query:
            statuses.add(400)
        if self._permission_may_refuse():
            statuses.add(403)
        if in_path or "cursor" in paging:
            statuses.add(404)
        if "multipart/form-data" in body:
            statuses.add(413)
        if body or idempotent:
            statuses.add(415)
        if idempotent:
            statuses.add(422)
        return statuses

    def _idempotent(self, parameters: list[dict[str, Any]]) -> bool:
        declared = any(
            parameter["in"] == "header" and parameter["name"] == IDEMPOTENCY_HEADER
            for parameter in parameters
        )
        action = getattr(self.view, "action", None) or self.method.lower()
        return declared or getattr(getattr(self.view, action, None), "idempotent", False)

    def _permission_may_refuse(self) -> bool:
        # A permission that refuses only calls without a valid token (those are 401) says so.
        return any(
            getattr(permission, "may_refuse_a_valid_token", True)
            for permission in self.view.get_permissions()
        )

    def _problem_response(self, code: int, description: str) -> dict[str, Any]:
        serializer = ValidationProblemSerializer if code == 400 else ProblemSerializer
        response = self._get_response_for_code(serializer, str(code), media_types=[CONTENT_TYPE])
        response["description"] = description
        if code in (429, 503):
            response["headers"] = RETRY_AFTER
        return response

    # --- names ---------------------------------------------------------------------------------

    def _resource(self) -> list[str]:
        """The path's parts after ``/api/v1/`` without its parameters: the resource first."""
        rest = API_PATH.sub("", self.path)
        return [part for part in rest.strip("/").split("/") if part and not part.startswith("{")]

    def get_tags(self) -> list[str]:
        parts = self._resource()
        return parts[:1] if API_PATH.match(self.path) and parts else super().get_tags()

    def get_operation_id(self) -> str:
        parts = self._resource()
        if not API_PATH.match(self.path) or not parts:
            return super().get_operation_id()
        resource = parts[0].replace("-", "_")
        if self.method == "GET" and self._is_list_view():
            verb = "list"
        else:
            verb = self.method_mapping[self.method.lower()]
        action = getattr(self.view, "action", None)
        if action in STANDARD_ACTIONS:
            return f"{resource}_{action}"
        if action is None:  # a plain view: the path names it
            return "_".join([p.replace("-", "_") for p in parts] + [verb])
        mapping = getattr(getattr(self.view, action, None), "mapping", {})
        if len(mapping) > 1:  # one action, several methods: say which
            return f"{resource}_{action}_{verb}"
        return f"{resource}_{action}"


class EnglishSchemaGenerator(SchemaGenerator):
    """``DEFAULT_GENERATOR_CLASS``: the schema in English, for the docs view and the
    ``spectacular`` command alike (the active language would name fields in Dutch)."""

    def get_schema(self, request: Any = None, public: bool = False) -> dict[str, Any]:
        with translation.override("en"):
            return super().get_schema(request, public)
