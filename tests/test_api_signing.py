"""Signing requests in the API (R-SIG-5, R-OFF-6): create, read the status per signer, withdraw;
the answers match the schema (tests/api_schema_check.py runs on every call)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.audit.context import audit_context
from portal.audit.models import AuditEntry
from portal.questionnaires import signing
from portal.questionnaires.models import Action, SigningRequest

from .api_helpers import Api, make_token
from .factories import UserFactory, grant
from .signing_helpers import scene

V1 = "/api/v1"

pytestmark = pytest.mark.django_db


def test_create_read_and_withdraw_a_signing_request_R_SIG_5_R_OFF_6():
    s = scene()
    api = Api(make_token(s.staff)[1])
    response = api.post(
        f"{V1}/signing-requests/",
        {
            "document": s.document.pk,
            "signers": [s.anna.pk, s.bram.pk],
            "explanation": "Graag tekenen.",
        },
    )
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["status"] == "open" and made["document"] == s.document.pk
    assert [row["email"] for row in made["signers"]] == ["anna@example.test", "bram@example.test"]
    assert {row["status"] for row in made["signers"]} == {"pending"}
    assert AuditEntry.objects.filter(action="signing.requested").count() == 1

    with audit_context(actor=s.anna, address="192.0.2.9"):
        signing.sign(
            signer=SigningRequest.objects.get(pk=made["id"]).signers.get(account=s.anna),
            by=s.anna,
            method="totp",
        )
    read = api.get(f"{V1}/signing-requests/{made['id']}/").json()
    anna = next(row for row in read["signers"] if row["account"] == s.anna.pk)
    assert anna["status"] == "signed" and anna["method"] == "totp" and anna["ip"] == "192.0.2.9"
    assert anna["document_sha256"] == s.document.sha256
    listed = api.get(f"{V1}/signing-requests/", {"dossier": s.dossier.pk}).json()
    assert [row["id"] for row in listed["results"]] == [made["id"]]

    withdrawn = api.post(f"{V1}/signing-requests/{made['id']}/withdraw/")
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["status"] == "withdrawn"
    assert not Action.objects.visible_to(s.bram).filter(kind="signing").exists()
    assert api.post(f"{V1}/signing-requests/{made['id']}/withdraw/").status_code == 400


def test_create_refuses_signers_without_access_and_bad_input_R_SIG_5_R_OFF_6():
    s = scene()
    api = Api(make_token(s.staff)[1])
    stranger = UserFactory()
    response = api.post(
        f"{V1}/signing-requests/", {"document": s.document.pk, "signers": [stranger.pk]}
    )
    assert response.status_code == 400
    assert (
        api.post(f"{V1}/signing-requests/", {"document": s.document.pk, "signers": []}).status_code
        == 400
    )
    assert api.post(f"{V1}/signing-requests/", {"signers": [s.anna.pk]}).status_code == 400
    # A staff account is no signer.
    response = api.post(
        f"{V1}/signing-requests/", {"document": s.document.pk, "signers": [s.staff.pk]}
    )
    assert response.status_code == 400
    assert not SigningRequest.objects.exists()


def test_the_list_runs_a_fixed_number_of_queries_R_SIG_5_R_OFF_6():
    s = scene()
    api = Api(make_token(s.staff)[1])
    signing.request_signatures(document=s.document, accounts=[s.anna], by=s.staff)
    api.get(f"{V1}/signing-requests/")
    with CaptureQueriesContext(connection) as few:
        api.get(f"{V1}/signing-requests/")
    more = [UserFactory() for _ in range(3)]
    for user in more:
        grant(s.dossier, user.client)
    for _ in range(3):
        signing.request_signatures(document=s.document, accounts=[s.bram, *more], by=s.staff)
    with CaptureQueriesContext(connection) as many:
        api.get(f"{V1}/signing-requests/")
    assert len(many) == len(few)
