"""Reads of the workspace that need care: each runs a fixed number of queries, whatever the
number of dossiers, messages or documents (tests/test_workspace_queries.py)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from portal.accounts.models import Client, User
from portal.documents.models import Document
from portal.dossiers.models import Dossier, DossierAccess
from portal.messaging.models import Message
from portal.questionnaires.models import Action

_Rows = TypeVar("_Rows", bound=QuerySet[Any])

INBOX_ROWS = 25
SEARCH_ROWS = 20


#: Counts in the inbox stop at this number ("1000+"): counting is then bounded work too.
COUNT_CAP = 1000


def capped_count(queryset: QuerySet[Any]) -> int:
    """The number of rows, at most ``COUNT_CAP + 1`` (a COUNT over a LIMIT subquery)."""
    return queryset.order_by()[: COUNT_CAP + 1].count()


def _scope(queryset: _Rows, user: User | None, mine: bool) -> _Rows:
    return queryset.filter(dossier__handler=user) if mine else queryset


def open_messages(user: User | None = None, mine: bool = False) -> QuerySet[Message]:
    """Client messages the office has not handled yet."""
    rows = Message.objects.filter(direction=Message.Direction.OUTGOING, handled_at__isnull=True)
    return _scope(rows, user, mine)


def new_uploads(user: User | None = None, mine: bool = False) -> QuerySet[Document]:
    """Files supplied by clients that no staff member has opened or marked seen. Files of an
    upload request or a questionnaire's PDF are shown with their action instead."""
    rows = Document.objects.filter(
        kind=Document.Kind.SUPPLIED, office_seen_at__isnull=True
    ).exclude(
        # NOT EXISTS rather than LEFT JOINs: the newest-first scan of the partial index on
        # unseen client files can stop after a page of rows.
        Exists(Action.supplied_documents.through.objects.filter(document=OuterRef("pk")))
        | Exists(Action.objects.filter(pdf_document=OuterRef("pk")))
    )
    return _scope(rows, user, mine)


def done_actions(user: User | None = None, mine: bool = False) -> QuerySet[Action]:
    """Completed questionnaires and fulfilled upload requests not yet handled."""
    rows = Action.objects.filter(status=Action.Status.COMPLETED, handled_at__isnull=True)
    return _scope(rows, user, mine)


PERSON = ("author__full_name", "author__email")


def inbox(user: User | None, *, mine: bool) -> dict[str, Any]:
    """Counts and the first rows of each kind: 5 queries."""
    actions = done_actions(user, mine)
    counts = actions.aggregate(
        questionnaires=Count("pk", filter=Q(kind=Action.Kind.QUESTIONNAIRE)),
        uploads=Count("pk", filter=Q(kind=Action.Kind.UPLOAD)),
        approvals=Count("pk", filter=Q(kind=Action.Kind.APPROVAL)),
    )
    counts["messages"] = capped_count(open_messages(user, mine))
    counts["files"] = capped_count(new_uploads(user, mine))
    counts["total"] = sum(counts.values())
    return {
        "counts": counts,
        # Only the columns the inbox shows: no message texts, no questionnaire snapshots and
        # answers (JSON decoded per row) for a list of titles.
        "message_items": list(
            open_messages(user, mine)
            .select_related("dossier", "author")
            .only(*PERSON, "created_at", "subject", "dossier__number")
            .order_by("created_at", "pk")[:INBOX_ROWS]
        ),
        "files": list(
            new_uploads(user, mine)
            .select_related("dossier", "uploaded_by")
            .only(
                "created_at",
                "original_name",
                "dossier__number",
                "uploaded_by__full_name",
                "uploaded_by__email",
            )
            .order_by("created_at", "pk")[:INBOX_ROWS]
        ),
        "actions": list(
            actions.select_related("dossier", "client", "approval")
            .only(
                "approval__answer",
                "kind",
                "title_nl",
                "title_en",
                "completed_at",
                "dossier__number",
                "client__name",
            )
            .order_by("completed_at", "pk")[: INBOX_ROWS * 2]
        ),
    }


def dossier_rows(text: str = "") -> QuerySet[Dossier]:
    """Dossiers whose number or description, or whose client's name or an account's e-mail
    address, contains ``text``. One UNION of pks instead of OR over joins with DISTINCT (issue
    9: 100–470 ms at 50,000 dossiers): the dossier part is the trigram-indexed search, the
    client part starts from the few matching clients."""
    rows = Dossier.objects.select_related("status", "handler")
    text = text.strip()
    if text:
        own = Dossier.objects.search(text).order_by().values("pk")
        clients = (
            Client.objects.filter(name__icontains=text)
            .order_by()
            .values("pk")
            .union(User.objects.filter(email__icontains=text).order_by().values("client_id"))
        )
        granted = DossierAccess.objects.filter(client__in=clients).order_by().values("dossier_id")
        rows = rows.filter(pk__in=own.union(granted))
    return rows


def client_rows(text: str = "") -> QuerySet[Client]:
    rows = Client.objects.annotate(account_count=Count("accounts", distinct=True))
    text = text.strip()
    if text:
        rows = rows.filter(
            Q(name__icontains=text)
            | Q(reference__icontains=text)
            | Q(accounts__email__icontains=text)
            | Q(accounts__full_name__icontains=text)
        )
    return rows.order_by("name", "pk")


def main_accounts(clients: list[Client]) -> dict[int, User]:
    """The main account of each client in ``clients`` (one query)."""
    users = User.objects.filter(client__in=[c.pk for c in clients], is_main_account=True)
    # client_id is set: the filter above asks for a client.
    return {user.client_id: user for user in users if user.client_id is not None}


def staff_members() -> QuerySet[User]:
    return User.objects.filter(is_staff=True, is_active=True, client__isnull=True).order_by(
        "full_name", "email"
    )
