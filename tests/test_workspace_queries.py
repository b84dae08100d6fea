"""Every workspace page runs a fixed number of queries, whatever the data size (R-OFF-1..5,
design principle 6): each page is measured with few and with many rows; both counts must be
equal and equal to the number below."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.audit.models import AuditEntry
from portal.documents.models import Document
from portal.messaging.models import Message
from portal.questionnaires.models import Action

from .factories import DossierFactory, StaffFactory, StepFactory, UserFactory, grant
from .workspace_helpers import staff_http

# Per request: the session, the user, the office (branding); then the page's own reads.
EXPECTED = {
    # counts: actions aggregate, messages, uploads; rows: messages, uploads, actions
    "inbox": 3 + 6,
    # paginator count, page (status and handler joined)
    "dossiers": 3 + 2,
    # the dossier; grants; documents; messages; actions; steps; the latest audit entries;
    # status, handler and questionnaire choices of the forms; the documents one may ask approval of
    # (R-SIG-4); signing requests (R-SIG-5): the accounts and PDFs of its form, the requests
    # (their signers prefetched when there are any); the retention periods and the active legal
    # hold (R-RET-1)
    "dossier": 3 + 16,
    # count, page, main accounts of the page
    "clients": 3 + 3,
    # dossiers, clients
    "search": 3 + 2,
    # the dossier (or the client); paginator count; page with each entry's dossier joined
    # (its number is in the sentences, issue 14 item 10)
    "audit": 3 + 3,
    "client_audit": 3 + 3,
}


def build(n: int):
    staff = StaffFactory()
    dossiers = []
    for i in range(n):
        owner = UserFactory(email=f"klant{n}-{i}@example.test", full_name=f"Klant {i}")
        dossier = DossierFactory(handler=staff, description=f"Levering woning straat {i}")
        grant(dossier, owner.client)
        for s in range(3):
            StepFactory(dossier=dossier, position=s)
        message = Message.objects.create(
            dossier=dossier, direction="outgoing", subject=f"Vraag {i}", body="?", author=owner
        )
        Document.objects.create(
            dossier=dossier,
            kind="supplied",
            title=f"Stuk {i}",
            original_name="stuk.txt",
            size=7,
            content_type="text/plain",
            sha256="0" * 64,
            file=ContentFile(b"inhoud\n", name="upload"),
            message=message,
            uploaded_by=owner,
        )
        Action.objects.create(
            kind="upload",
            dossier=dossier,
            client=owner.client,
            title_nl=f"ID {i}",
            status="completed",
            completed_at=timezone.now(),
        )
        dossiers.append(dossier)
    # The dossier page of the first dossier also grows.
    first = dossiers[0]
    for i in range(n):
        Message.objects.create(dossier=first, direction="incoming", subject=f"A {i}", body=".")
    # Its trail and its client's grow too, with entries of several dossiers.
    client = first.grants.get().client
    for i, dossier in enumerate(dossiers):
        AuditEntry.objects.create(
            action="document.downloaded", dossier=first, client=client, target=f"stuk-{i}.pdf"
        )
        AuditEntry.objects.create(
            action="request.denied",
            dossier=dossier,
            client=client,
            data={"status": 404, "method": "GET", "route": "messaging:reply"},
        )
    return staff, first


PAGES = {
    "inbox": lambda d: "/kantoor/",
    "dossiers": lambda d: "/kantoor/dossiers/?q=straat",
    "dossier": lambda d: f"/kantoor/dossiers/{d.pk}/",
    "clients": lambda d: "/kantoor/klanten/?q=klant",
    "search": lambda d: "/kantoor/zoeken/?q=klant",
    "audit": lambda d: f"/kantoor/dossiers/{d.pk}/logboek/",
    "client_audit": lambda d: f"/kantoor/klanten/{d.grants.get().client_id}/logboek/",
}


def count(http, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(PAGES))
def test_workspace_pages_run_a_fixed_number_of_queries_R_OFF_4(page):
    counts = []
    for n in (2, 60):
        staff, dossier = build(n)
        http = staff_http(staff)
        url = PAGES[page](dossier)
        http.get(url)  # warm caches (office, content types)
        counts.append(count(http, url))
    assert counts[0] == counts[1] == EXPECTED[page], counts


def test_inbox_counts_stop_at_the_cap_R_OFF_4(db, settings):
    """R-OFF-4 at scale: the inbox counts at most COUNT_CAP + 1 rows (bounded work) and shows
    "1000+" beyond the cap."""
    from portal.messaging.models import Message
    from portal.workspace import queries
    from portal.workspace.templatetags.inbox import capped

    from .factories import DossierFactory, UserFactory

    owner = UserFactory()
    dossier = DossierFactory()
    Message.objects.bulk_create(
        Message(dossier=dossier, direction="outgoing", subject="s", body="b", author=owner)
        for _ in range(12)
    )
    queries_module_cap = queries.COUNT_CAP
    try:
        queries.COUNT_CAP = 10
        assert queries.capped_count(queries.open_messages()) == 11
    finally:
        queries.COUNT_CAP = queries_module_cap
    assert capped(1001) == "1000+" and capped(1000) == "1000" and capped(3) == "3"
