"""schemathesis against /api/schema/ (R-OFF-6): generated requests for every operation, a
bounded number of examples each, sent with a valid token to the Django WSGI app: 0 server
errors and 0 responses that violate the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from .api_helpers import make_token
from .factories import StaffFactory
from .questionnaire_helpers import sized_template

MAX_EXAMPLES = 8


@pytest.mark.django_db
def test_schemathesis_finds_no_server_error_and_no_schema_violation_R_OFF_6(world, settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    staff = StaffFactory(email="koppeling@office.test")
    _token, raw = make_token(staff)
    sized_template(2)
    app = get_wsgi_application()
    # Like Django's test client: the WSGI handler must not close the test's connection
    # between requests (PostgreSQL would lose the test transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _run(app, raw)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(app, raw: str) -> None:
    headers = {"Authorization": f"Bearer {raw}"}
    # The schema itself needs the token too (issue 14 item 17).
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, headers=headers)
    failures: list[str] = []
    tested = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        tested += 1

        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            try:
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )
            except Exception as exc:  # collect all, report together
                failures.append(f"{case.method} {case.formatted_path}: {exc}"[:2000])

        check()
    assert tested >= 20
    assert failures == [], "\n\n".join(failures[:5])
