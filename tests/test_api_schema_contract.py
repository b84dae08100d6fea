"""The OpenAPI schema as a generated client reads it (R-OFF-6, issue 17 items 2 and 4): every
error answer documented as problem details, operation ids and tags by resource, binary
downloads kept, English field titles, names that stay unique in generated code."""

from __future__ import annotations

import re

import pytest

from .api_helpers import Api, make_token
from .factories import StaffFactory

pytestmark = pytest.mark.django_db

PROBLEM = "#/components/schemas/Problem"
VALIDATION_PROBLEM = "#/components/schemas/ValidationProblem"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def schema():
    _token, raw = make_token(StaffFactory(email="schema@office.test"))
    return Api(raw).get("/api/schema/", {"format": "json"}).json()


def _operations(schema):
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def _problem_ref(response) -> str:
    content = response["content"]
    assert list(content) == ["application/problem+json"], content
    return content["application/problem+json"]["schema"]["$ref"]


def test_every_operation_documents_its_error_answers_R_OFF_6_item_2(schema):
    """R-OFF-6 item 2: 401 and 429 (with Retry-After) everywhere; 404 for every ``{id}``
    operation and every paged list; 400 for every write; 422 with an Idempotency-Key; 413 for
    an upload; 415 with a body — each a problem-details body (400: ``ValidationProblem``)."""
    operations = _operations(schema)
    assert len(operations) >= 30
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        for code, response in responses.items():
            if code[0] in "45":
                expected = VALIDATION_PROBLEM if code == "400" else PROBLEM
                assert _problem_ref(response) == expected, where
                assert response["description"], where
        assert {"401", "429"} <= set(responses), where
        assert "Retry-After" in responses["429"]["headers"], where
        parameters = {p["name"]: p for p in operation.get("parameters", [])}
        if "{" in path or "cursor" in parameters:
            assert "404" in responses, where
        if method in ("post", "put", "patch", "delete"):
            assert "400" in responses, where
        if "Idempotency-Key" in parameters:
            assert "422" in responses, where
        body = operation.get("requestBody", {}).get("content", {})
        if body:
            assert "415" in responses, where
        if "multipart/form-data" in body:
            assert "413" in responses, where
        if "{" not in path and "cursor" not in parameters:
            assert "404" not in responses, where
    upload = schema["paths"]["/api/v1/documents/"]["post"]["responses"]
    assert {"400", "401", "413", "415", "422", "429"} <= set(upload)
    assert "403" not in upload  # a valid token may always work


def test_the_problem_schemas_R_OFF_6_item_2(schema):
    """R-OFF-6 item 2: ``Problem`` has type, title, status and detail, all required;
    ``ValidationProblem`` adds ``errors``, a map of field path to messages."""
    components = schema["components"]["schemas"]
    problem = components["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert problem["properties"]["status"]["type"] == "integer"
    assert "urn:klantportaal:problem:invalid" in problem["properties"]["type"]["description"]
    validation = components["ValidationProblem"]
    assert set(validation["required"]) == {"type", "title", "status", "detail", "errors"}
    errors = validation["properties"]["errors"]
    assert errors["type"] == "object"
    assert errors["additionalProperties"] == {"type": "array", "items": {"type": "string"}}


def test_operation_ids_and_tags_read_well_in_a_generated_client_R_OFF_6_item_4(schema):
    """R-OFF-6 item 4: ``<resource>_<action>`` without ``v1_``, the resource being the path's
    first part; every operation tagged with that resource (statuses and upload requests have
    their own tags)."""
    ids = {}
    for path, method, operation in _operations(schema):
        operation_id = operation["operationId"]
        assert not operation_id.startswith("v1_"), operation_id
        assert re.fullmatch(r"[a-z]+(_[a-z]+)+", operation_id), operation_id
        resource = path.removeprefix("/api/v1/").split("/")[0]
        assert operation_id.startswith(resource.replace("-", "_") + "_"), operation_id
        assert operation["tags"] == [resource], (path, operation["tags"])
        ids[(method, path)] = operation_id
    assert ids[("get", "/api/v1/dossiers/")] == "dossiers_list"
    assert ids[("post", "/api/v1/dossiers/")] == "dossiers_create"
    assert ids[("get", "/api/v1/dossiers/{id}/")] == "dossiers_retrieve"
    assert ids[("patch", "/api/v1/dossiers/{id}/")] == "dossiers_partial_update"
    assert ids[("get", "/api/v1/dossiers/{id}/grants/")] == "dossiers_grants_list"
    assert ids[("post", "/api/v1/dossiers/{id}/grants/")] == "dossiers_grants_create"
    assert ids[("delete", "/api/v1/dossiers/{id}/grants/{client_id}/")] == (
        "dossiers_grants_destroy"
    )
    assert ids[("get", "/api/v1/dossiers/{id}/steps/")] == "dossiers_steps_retrieve"
    assert ids[("put", "/api/v1/dossiers/{id}/steps/")] == "dossiers_steps_update"
    assert ids[("post", "/api/v1/messages/{id}/handled/")] == "messages_mark_handled"
    assert ids[("post", "/api/v1/clients/{id}/invite/")] == "clients_invite"
    assert ids[("post", "/api/v1/clients/{id}/accounts/")] == "clients_add_account"
    assert ids[("get", "/api/v1/documents/{id}/download/")] == "documents_download"
    assert ids[("get", "/api/v1/questionnaires/{id}/pdf/")] == "questionnaires_download_pdf"
    assert ids[("get", "/api/v1/statuses/")] == "statuses_list"
    assert ids[("get", "/api/v1/upload-requests/")] == "upload_requests_list"


def _python_name(name: str) -> str:
    """Roughly what a generator makes of a name: snake case, separators folded."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def test_names_stay_unique_in_generated_code_R_OFF_6_item_4(schema):
    """R-OFF-6 item 4: what becomes a function, module, class or argument of a generated client
    is unique after the generator folds case and separators: operation ids, tags, component
    schemas, each operation's parameters and each schema's properties."""

    def unique(names, where):
        folded = [_python_name(name) for name in names]
        duplicates = {name for name in folded if folded.count(name) > 1}
        assert not duplicates, (where, duplicates)

    operations = _operations(schema)
    unique([operation["operationId"] for _p, _m, operation in operations], "operation ids")
    unique({tag for _p, _m, op in operations for tag in op["tags"]}, "tags")
    components = schema["components"]["schemas"]
    unique(list(components), "component schemas")
    for path, method, operation in operations:
        unique([p["name"] for p in operation.get("parameters", [])], f"{method} {path}")
    for name, component in components.items():
        unique(list(component.get("properties", {})), name)


def test_binary_responses_are_kept_by_generators_R_OFF_6_item_4(schema):
    """R-OFF-6 item 4: every response that is not JSON is a binary string and offered as
    application/octet-stream (what a generator keeps as bytes); the questionnaire PDF too."""
    binaries = []
    for path, method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            content = response.get("content", {})
            others = [t for t in content if not re.search(r"[/+]json$", t)]
            for media_type in others:
                assert content[media_type]["schema"] == {"type": "string", "format": "binary"}
            if others:
                assert "application/octet-stream" in content, (method, path, code)
                binaries.append(path)
    assert {"/api/v1/documents/{id}/download/", "/api/v1/questionnaires/{id}/pdf/"} <= set(binaries)
    pdf = schema["paths"]["/api/v1/questionnaires/{id}/pdf/"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"]


def test_the_schema_is_in_english_whatever_the_callers_language_R_OFF_6_item_4():
    """R-OFF-6 item 4: field titles are English, never Dutch beside English descriptions; the
    schema does not change with Accept-Language."""
    _token, raw = make_token(StaffFactory(email="schema@office.test"))
    api = Api(raw)
    dutch = api.get("/api/schema/", {"format": "json"}, headers={"Accept-Language": "nl"})
    english = api.get("/api/schema/", {"format": "json"}, headers={"Accept-Language": "en"})
    assert dutch.json() == english.json()
    dossier = dutch.json()["components"]["schemas"]["Dossier"]["properties"]
    assert dossier["created_at"]["title"] == "Created"
    assert dossier["number"]["title"] == "Dossier number"
    assert "Aangemaakt" not in dutch.content.decode()


def test_a_tag_a_view_names_gives_way_to_the_resource_R_OFF_6_item_4():
    """R-OFF-6 item 4: the path decides the tag, also for a view that names another one (an
    upload request's operation tagged "questionnaires" would land in the wrong module)."""
    from django.urls import path
    from drf_spectacular.utils import extend_schema

    from portal.api.schema import EnglishSchemaGenerator
    from portal.api.views import UploadRequestViewSet

    @extend_schema(tags=["questionnaires"])
    class Tagged(UploadRequestViewSet):
        pass

    patterns = [path("api/v1/upload-requests/", Tagged.as_view({"get": "list"}))]
    schema = EnglishSchemaGenerator(patterns=patterns).get_schema(None, True)
    operation = schema["paths"]["/api/v1/upload-requests/"]["get"]
    assert operation["tags"] == ["upload-requests"]
    assert operation["operationId"] == "upload_requests_list"
