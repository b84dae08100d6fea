"""Every page asserts its query count stays fixed as data grows.

Each client page is measured for a client with 2 dossiers and for one with 200 (several progress
steps each, a mix of statuses so the status filter of R-DOS-3 is on the page). The two counts must
be equal, and equal to the fixed number below: a change in either direction is a deliberate
decision, made by editing EXPECTED_QUERIES.

With exactly one dossier the list redirects (R-DOS-1), so the small case starts at 2.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.models import User
from portal.dossiers.models import Dossier, DossierAccess, ProgressStep
from portal.offices.models import DossierStatus, Office
from portal.questionnaires.models import Action

from .factories import StatusFactory, UserFactory

SMALL, LARGE = 2, 200
STEPS_SMALL, STEPS_LARGE = 3, 12

# Per request: the session, the user, the office (branding), the open actions shown on every
# page (R-HOME-3: count and first items in ONE query, whatever their number), then the page's
# own reads. The actions query was added deliberately: +1 on every client page, never more.
ACTIONS_BAR = 1
EXPECTED_QUERIES = {
    # R-HOME-2: the counts, in one aggregate.
    "home": 4 + ACTIONS_BAR,
    # R-DOS-1..3: the count ("exactly one dossier?", and the paginator's count: issue 9), the
    # statuses in use, the page of rows (status joined in).
    "list": 6 + ACTIONS_BAR,
    # R-DOS-2/3 with a search and two statuses ticked: no R-DOS-1 check when filtering.
    "list filtered": 6 + ACTIONS_BAR,
    # The Home tile's "in progress" link (issue 14 item 4): every in-progress status, the
    # statuses in use counted per status in the same one query.
    "list in progress": 6 + ACTIONS_BAR,
    # R-DOS-4/5: the dossier (status and handler joined in), its steps, the counts and unread
    # counts of the document tabs (one aggregate) and of the Berichten tab (one aggregate); then
    # the page of documents or messages with their read state (tests/test_documents.py and
    # tests/test_messages.py grow those). The paginator takes the tab's count from those
    # aggregates (issue 9: one COUNT less). No documents or messages in these dossiers: no
    # page read.
    "dossier": 7 + ACTIONS_BAR,
    "dossier tab": 7 + ACTIONS_BAR,  # the Berichten tab
    # R-HOME-3/R-Q-1: "Acties", the client's actions (at most 100, dossier joined in): one query.
    "actions": 4 + ACTIONS_BAR,
}

PAGES: dict[str, Callable[[list[Dossier], list[DossierStatus]], str]] = {
    "home": lambda dossiers, statuses: "/",
    "list": lambda dossiers, statuses: "/dossiers/",
    "list filtered": lambda dossiers, statuses: (
        f"/dossiers/?q=straat&status={statuses[0].pk}&status={statuses[1].pk}"
    ),
    "list in progress": lambda dossiers, statuses: "/dossiers/?status=lopend",
    "dossier": lambda dossiers, statuses: f"/dossiers/{dossiers[0].pk}/",
    "dossier tab": lambda dossiers, statuses: f"/dossiers/{dossiers[-1].pk}/berichten/",
    "actions": lambda dossiers, statuses: "/acties/",
}


def make_client_with_dossiers(
    label: str, count: int, steps: int, statuses: list[DossierStatus]
) -> tuple[User, list[Dossier]]:
    """A client account granted ``count`` dossiers, each with ``steps`` progress steps (about a
    third done), statuses taken in turn from ``statuses``. Bulk-created: 200 dossiers stay fast."""
    user = UserFactory(email=f"{label}@example.test", language="en")
    Dossier.objects.bulk_create(
        Dossier(
            number=f"{label.upper()}-{i:04d}",
            description=f"Levering woning Dorpsstraat {i}, Utrecht",
            status=statuses[i % len(statuses)],
        )
        for i in range(count)
    )
    dossiers = list(Dossier.objects.filter(number__startswith=f"{label.upper()}-"))
    DossierAccess.objects.bulk_create(
        DossierAccess(dossier=dossier, client=user.client) for dossier in dossiers
    )
    ProgressStep.objects.bulk_create(
        ProgressStep(dossier=dossier, position=n, title=f"Stap {n}", done=n % 3 == 0)
        for dossier in dossiers
        for n in range(1, steps + 1)
    )
    # One open action per dossier (R-HOME-3): 2 against 200 in the bar on every page.
    Action.objects.bulk_create(
        Action(kind=Action.Kind.UPLOAD, dossier=dossier, client=user.client, title_nl="Kopie ID")
        for dossier in dossiers
    )
    return user, dossiers


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", list(PAGES))
def test_query_count_stays_fixed_as_data_grows_R_HOME_2_R_DOS_1_to_5(client, db, page):
    """Every page asserts its query count stays fixed as data grows: the home page (R-HOME-2),
    the dossier list with and without search and status filter (R-DOS-1..3) and a dossier with
    its progress steps and tabs (R-DOS-4, R-DOS-5), for 2 and for 200 dossiers."""
    Office.current()  # the first request of a fresh database would create it
    statuses = [
        StatusFactory(name="In behandeling", in_progress=True),
        StatusFactory(name="Wacht op stukken", in_progress=True),
        StatusFactory(name="Afgerond", in_progress=False),
    ]
    small_user, small_dossiers = make_client_with_dossiers("small", SMALL, STEPS_SMALL, statuses)
    large_user, large_dossiers = make_client_with_dossiers("large", LARGE, STEPS_LARGE, statuses)

    counts = {}
    for name, user, dossiers in [
        ("small", small_user, small_dossiers),
        ("large", large_user, large_dossiers),
    ]:
        client.force_login(user)
        url = PAGES[page](dossiers, statuses)
        counts[name] = count_queries(client, url)
        if page.startswith("list"):
            # The status filter is on the page (more than one status occurs), so it is measured.
            assert client.get(url).context["show_status_filter"]

    assert counts["small"] == counts["large"], counts
    assert counts["large"] == EXPECTED_QUERIES[page], counts
