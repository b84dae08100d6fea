"""R-OFF-6: the API schema check (tests/api_schema_check.py) catches a response the schema does
not document."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

from . import api_schema_check

V1 = "/api/v1"


def _any_get_template() -> str:
    return next(
        t for t, ops in api_schema_check._schema()["paths"].items() if "get" in ops and "{" not in t
    )


def test_undocumented_status_is_a_mismatch_R_OFF_6(db):
    path = _any_get_template()
    found = api_schema_check.check("GET", path, HttpResponse(status=418))
    assert found is not None and "status 418 not documented" in found


def test_wrong_body_shape_is_a_mismatch_R_OFF_6(db):
    path = _any_get_template()
    response = JsonResponse(["not", "the", "documented", "shape"], safe=False, status=200)
    found = api_schema_check.check("GET", path, response)
    assert found is not None and found.startswith("body at /")


def test_unknown_api_path_with_other_status_is_a_mismatch_R_OFF_6(db):
    found = api_schema_check.check("GET", f"{V1}/bestaat-niet/", HttpResponse(status=200))
    assert found == "path not in the schema"


def test_download_media_types_are_documented_without_exceptions_R_OFF_6_item_4(db):
    """R-OFF-6 item 4: a download answers with the file's own media type, which the schema
    lists (every type an upload may have, after application/octet-stream for generators), so
    the check needs no allow-list; a type no upload can have is still a mismatch."""
    assert api_schema_check.ALLOWED == {}
    path = f"{V1}/documents/7/download/"
    for media_type in ("application/pdf", "image/jpeg", "application/octet-stream"):
        response = HttpResponse(b"x", content_type=media_type)
        assert api_schema_check.check("GET", path, response) is None, media_type
    found = api_schema_check.check("GET", path, HttpResponse(b"<p>", content_type="text/html"))
    assert found is not None and "text/html" in found
