"""API lists run a fixed number of queries whatever the number of rows (R-OFF-6, like
tests/test_query_counts.py): measured with few and with many rows, the counts are equal."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.documents import services as document_services
from portal.dossiers.models import Dossier
from portal.messaging import services as message_services
from portal.questionnaires import approvals, signing
from portal.questionnaires import services as action_services

from .api_helpers import Api, make_token
from .factories import DossierFactory, StaffFactory, UserFactory, grant
from .pdfs import minimal_pdf

LISTS = [
    "/api/v1/clients/",
    "/api/v1/dossiers/",
    "/api/v1/documents/",
    "/api/v1/messages/",
    "/api/v1/questionnaires/",
    "/api/v1/upload-requests/",
    "/api/v1/approval-requests/",
    "/api/v1/signing-requests/",
    "/api/v1/changes/",
]


def _add_rows(n: int, staff) -> None:
    for _ in range(n):
        user = UserFactory()
        dossier = DossierFactory()
        grant(dossier, user.client)
        message_services.send_message(dossier=dossier, sender=user, subject="Vraag", body="x")
        action_services.request_upload(dossier=dossier, client=user.client, title_nl="Kopie")
        document = document_services.publish_document(
            dossier=dossier,
            kind="document",
            title="Concept",
            file=ContentFile(minimal_pdf("Concept"), name="concept.pdf"),
        )
        approvals.request_approval(dossier=dossier, document=document, clients=[user.client])
        signing.request_signatures(document=document, accounts=[user])


def _counts(api) -> dict[str, int]:
    counts = {}
    for url in LISTS:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url).status_code == 200
        counts[url] = len(queries)
    return counts


@pytest.mark.django_db
def test_list_query_counts_do_not_grow_with_rows_R_OFF_6():
    staff = StaffFactory(email="koppeling@office.test")
    _token, raw = make_token(staff)
    api = Api(raw)
    api.get("/api/v1/dossiers/")  # the token's "last used" is written once a minute: now
    _add_rows(2, staff)
    few = _counts(api)
    _add_rows(40, staff)
    assert Dossier.objects.count() == 42
    many = _counts(api)
    assert few == many
    # Token lookup, office, audit entry, the page (+ prefetches); "last used" at most a minute.
    assert max(many.values()) <= 8, many
