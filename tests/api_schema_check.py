"""R-OFF-6: every API response the suite receives validates against the OpenAPI schema that
drf-spectacular generates in-process (once per session): the status must be documented for the
operation, a JSON body must validate against the documented schema (openapi-schema-validator),
and any other body's content type must be documented."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache

from openapi_schema_validator import OAS30Validator

# Responses known not to match yet, each with its reason: (method, schema path, status).
ALLOWED: dict[tuple[str, str, int], str] = {}

seen: Counter = Counter()
operations: set[tuple[str, str]] = set()
mismatches: list[str] = []


@cache
def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(generated, default=str))


@cache
def _routes() -> list[tuple[re.Pattern, str]]:
    routes = []
    for template in _schema()["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        routes.append((re.compile(f"^{pattern}$"), template))
    return routes


def _validator(schema: dict) -> OAS30Validator:
    # The schema's "#/components/..." references resolve against the root being validated.
    return OAS30Validator({**schema, "components": _schema().get("components", {})})


def check(method: str, path: str, response) -> str | None:
    """The mismatch of one response, or None."""
    if not path.startswith("/api/v1/"):
        return None
    template = next((t for rx, t in _routes() if rx.match(path)), None)
    if template is None:
        # No operation: only the API's not-found answer is right there.
        return None if response.status_code == 404 else "path not in the schema"
    operation = _schema()["paths"][template].get(method.lower())
    if operation is None:
        if response.status_code == 405:
            return None
        return "method not in the schema"
    seen["responses"] += 1
    operations.add((method.upper(), template))
    status = response.status_code
    if (method.upper(), template, status) in ALLOWED:
        return None
    documented = operation.get("responses", {})
    entry = documented.get(str(status)) or documented.get(f"{str(status)[0]}XX")
    if entry is None:
        entry = documented.get("default")
    if entry is None:
        return f"status {status} not documented (documented: {', '.join(documented)})"
    content = entry.get("content") or {}
    ctype = response.get("Content-Type", "").split(";")[0].strip()
    body = b"" if response.streaming else response.content
    if not content:
        return None if not body else f"body with {ctype} where none is documented"
    media = content.get(ctype)
    if media is None:
        return f"content type {ctype!r} not documented (documented: {', '.join(content)})"
    if ctype.endswith("json") and "schema" in media:
        try:
            data = json.loads(body)
        except ValueError as exc:
            return f"body is not JSON: {exc}"
        error = next(iter(_validator(media["schema"]).iter_errors(data)), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path)
            return f"body at /{where}: {error.message}"
    return None
