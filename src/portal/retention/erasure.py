"""Erasure of a client (R-RET-3): on request by the office, and for clients left without a
dossier once the retention period has passed.

What goes: the client row (name, reference), every account of it with its sessions, second
factors, links, notification settings and lockout counters; the files and messages the accounts
supplied or wrote (supplied documents, staged uploads, message attachments, the messages
themselves, with the files deleted from storage once the transaction commits); the questionnaires
and upload requests addressed to the client (their answers and result PDFs); its dossier access
rows and the e-mail rows addressed to its accounts.

What stays: what the office published (letters, documents) and the office's own messages; a
reference of such a row to an erased account is cleared (the foreign keys are ``SET_NULL``).
The audit trail stays as a trail: its entries keep what happened, when and in which dossier,
and lose the client's personal data (see ``_scrub_audit`` and docs/erasure.md). One entry,
without a name, records the erasure itself.

Erasure is refused while a dossier of the client is open (not closed) or under a legal hold: a
dossier of the client is one it has access to, or one holding something the erasure would
remove (a file it supplied, a message it wrote, a questionnaire addressed to it)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from portal.accounts.lockout import office_key
from portal.accounts.models import Client, User
from portal.accounts.services import end_sessions
from portal.audit.models import AuditEntry
from portal.audit.services import record
from portal.documents.models import Document, StagedUpload
from portal.dossiers.models import Dossier, DossierAccess, LegalHold
from portal.integrations.models import IdempotencyRecord
from portal.messaging.models import Message
from portal.notifications.email import queue_email
from portal.notifications.models import OutgoingEmail
from portal.offices.services import per_office
from portal.questionnaires.models import Action
from portal.twofactor.models import RecoveryDevice, SmsCodeSent, SmsDevice

# What the audit trail shows instead of the erased client's name, e-mail address or account
# (stored as written: the audit trail keeps text, not translations).
NEUTRAL = "gewiste cliënt #{pk}"
# What it shows instead of a file name or subject the client wrote (the file or message is gone).
ERASED_CONTENT = "[gewist]"
# Audit actions whose target names the client or one of its accounts (the client's name, an
# e-mail address), on entries about the client: anonymised even when the name was different
# then (renamed since).
PERSONAL_TARGETS = ("client.", "account.", "login", "2fa.", "session.", "logout", "dossier.access_")
# Keys of an entry's details that hold an address of the client's (e.g. a removed extra account).
PERSONAL_KEYS = ("email",)
# Audit actions whose target is an address as typed (no account known at the time).
ADDRESS_ACTIONS = ("login.failed", "login.link_required")
# Audit actions that name a file or message by its name or subject (``document``/``message``
# in their details).
CONTENT_ACTIONS = (
    "document.supplied",
    "document.downloaded",
    "document.seen_by_office",
    "message.sent",
    "message.handled",
)
BATCH = 500


@dataclass(frozen=True)
class Blocker:
    """A dossier that keeps the client from being erased: open, or held."""

    dossier: Dossier
    hold: LegalHold | None

    @property
    def is_open(self) -> bool:
        return self.dossier.closed_at is None


class ErasureRefused(Exception):
    def __init__(self, blockers: list[Blocker]):
        super().__init__(", ".join(b.dossier.number for b in blockers))
        self.blockers = blockers


@dataclass
class Counts:
    """How much an erasure removes (what the confirmation page and the audit entry show)."""

    accounts: int = 0
    documents: int = 0
    staged_uploads: int = 0
    messages: int = 0
    questionnaires: int = 0
    upload_requests: int = 0
    access_rows: int = 0
    second_factors: int = 0
    sessions: int = 0
    audit_entries_anonymised: int = 0

    def as_data(self) -> dict[str, int]:
        return {
            "accounts": self.accounts,
            "documents": self.documents,
            "staged_uploads": self.staged_uploads,
            "messages": self.messages,
            "questionnaires": self.questionnaires,
            "upload_requests": self.upload_requests,
            "access_rows": self.access_rows,
            "second_factors": self.second_factors,
            "sessions": self.sessions,
            "audit_entries_anonymised": self.audit_entries_anonymised,
        }


def neutral(client_pk: int) -> str:
    return NEUTRAL.format(pk=client_pk)


# --- what the erasure takes ---------------------------------------------------------------


def _documents(client: Client) -> QuerySet[Document]:
    """The files of the client: supplied by its accounts (uploads, message attachments), and
    the result PDFs of the questionnaires addressed to it."""
    return Document.objects.filter(
        Q(uploaded_by__client=client)
        | Q(message__author__client=client)
        | Q(questionnaire__client=client)
    )


def _messages(client: Client) -> QuerySet[Message]:
    return Message.objects.filter(author__client=client)


def _actions(client: Client) -> QuerySet[Action]:
    return Action.objects.filter(client=client)


def _dossiers(client: Client) -> QuerySet[Dossier]:
    """The client's dossiers: those it may see, and those holding something of it."""
    return Dossier.objects.filter(
        Q(Exists(DossierAccess.objects.filter(dossier=OuterRef("pk"), client=client)))
        | Q(pk__in=_documents(client).values("dossier_id"))
        | Q(pk__in=_messages(client).values("dossier_id"))
        | Q(pk__in=_actions(client).values("dossier_id"))
    )


def blockers(client: Client) -> list[Blocker]:
    """The client's dossiers that are open or held, in number order (two queries)."""
    rows = (
        _dossiers(client)
        .filter(
            Q(closed_at__isnull=True)
            | Q(Exists(LegalHold.objects.filter(dossier=OuterRef("pk"), lifted_at__isnull=True)))
        )
        .prefetch_related(
            Prefetch(
                "holds",
                queryset=LegalHold.objects.filter(lifted_at__isnull=True),
                to_attr="active_holds",
            )
        )
        .order_by("number", "pk")
    )
    return [Blocker(dossier, next(iter(dossier.active_holds), None)) for dossier in rows]


def refusal(found: list[Blocker]) -> str:
    """Why the erasure is refused, in the active language (the API's answer)."""
    reasons = [
        _("%(number)s is under a legal hold (%(reason)s)")
        % {"number": b.dossier.number, "reason": b.hold.reason}
        if b.hold is not None
        else _("%(number)s is still open") % {"number": b.dossier.number}
        for b in found
    ]
    return _("The client cannot be erased yet: %(reasons)s.") % {"reasons": "; ".join(reasons)}


def preview(client: Client) -> Counts:
    """What erasing ``client`` would remove (a fixed number of queries)."""
    accounts = User.objects.filter(client=client)
    actions = _actions(client)
    return Counts(
        accounts=accounts.count(),
        documents=_documents(client).count(),
        staged_uploads=StagedUpload.objects.filter(uploaded_by__client=client).count(),
        messages=_messages(client).count(),
        questionnaires=actions.filter(kind=Action.Kind.QUESTIONNAIRE).count(),
        upload_requests=actions.filter(kind=Action.Kind.UPLOAD).count(),
        access_rows=DossierAccess.objects.filter(client=client).count(),
    )


# --- the erasure -------------------------------------------------------------------------


def erase_client(*, client: Client, by: User | None = None, reason: str = "request") -> Counts:
    """Erase ``client`` (R-RET-3); ErasureRefused, and nothing changed, while one of its
    dossiers is open or held. Files leave storage once the transaction has committed."""
    with transaction.atomic():
        # The client's row lock: two erasures of one client (a double click) run one after
        # the other; the second finds no client.
        locked = Client.objects.select_for_update().filter(pk=client.pk).first()
        if locked is None:
            raise Client.DoesNotExist
        found = blockers(locked)
        if found:
            raise ErasureRefused(found)
        counts = _erase(locked)
        record(
            "client.erased" if reason == "request" else "client.removed_inactive",
            actor=by,
            target=neutral(client.pk),
            client=None,
            counts=counts.as_data(),
        )
    return counts


def _erase(client: Client) -> Counts:
    pk = client.pk
    accounts = list(User.objects.filter(client=client))
    ids = [a.pk for a in accounts]
    counts = preview(client)
    documents = list(_documents(client).values_list("pk", "file"))
    staged = list(StagedUpload.objects.filter(uploaded_by__in=ids).values_list("pk", "file"))
    message_ids = list(_messages(client).values_list("pk", flat=True))
    action_ids = list(_actions(client).values_list("pk", flat=True))
    dossier_ids = list(_dossiers(client).values_list("pk", flat=True))
    numbers = list(SmsDevice.objects.filter(user__in=ids).values_list("number", flat=True))

    counts.audit_entries_anonymised = _scrub_audit(
        client,
        accounts,
        documents=[d for d, _f in documents],
        messages=message_ids,
        dossiers=dossier_ids,
    )
    counts.sessions = sum(
        end_sessions(account) for account in accounts if _may_have_sessions(account)
    )

    # The rows, children before parents (documents hang on messages, PROTECT).
    _delete(Document.objects.filter(pk__in=[d for d, _f in documents]))
    _delete(StagedUpload.objects.filter(pk__in=[s for s, _f in staged]))
    _delete(Message.objects.filter(pk__in=message_ids))
    _delete(Action.objects.filter(pk__in=action_ids))
    counts.second_factors = sum(
        model.objects.filter(user__in=ids).delete()[0]
        for model in (SmsDevice, TOTPDevice, WebAuthnCredential, RecoveryDevice)
    )
    SmsCodeSent.objects.filter(number__in=numbers).delete()
    emails = [a.email for a in accounts]
    OutgoingEmail.objects.filter(to__in=emails).delete()
    keys = [office_key(email) for email in emails]
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in=keys).delete()
    IdempotencyRecord.objects.filter(
        Q(path__startswith=f"/api/v1/clients/{pk}/")
        | Q(path__startswith="/api/v1/clients/", response_body__id=pk)
    ).delete()
    # Accounts (their links, notification settings, read marks and access rows cascade), then
    # the client itself.
    User.objects.filter(pk__in=ids).delete()
    Client.objects.filter(pk=pk).delete()

    for name in [f for _d, f in documents] + [f for _s, f in staged]:
        if name:
            transaction.on_commit(partial(_delete_file, name))
    return counts


def _may_have_sessions(account: User) -> bool:
    """Whether a session of ``account`` may still be stored: every login sets ``last_login``,
    and a session row outlives it by at most the absolute session length plus the cookie's
    age. ``end_sessions`` reads every live session, so the sweep of long-inactive clients
    skips it (their rows would go with the account anyway: no session authenticates a deleted
    account)."""
    if account.last_login is None:
        return False
    longest = timedelta(hours=settings.SESSION_ABSOLUTE_HOURS, seconds=settings.SESSION_COOKIE_AGE)
    return account.last_login > timezone.now() - longest - timedelta(days=1)


def _delete(rows: QuerySet[Any]) -> int:
    return rows.delete()[0]


def _delete_file(name: str) -> None:
    # Documents and staged uploads share the default storage (the field's storage).
    storage = Document._meta.get_field("file").storage
    storage.delete(name)


def _scrub_audit(
    client: Client,
    accounts: list[User],
    *,
    documents: list[int],
    messages: list[int],
    dossiers: list[int],
) -> int:
    """Take the client's personal data out of the audit trail, keeping the entries: who acted
    (an account of the client) becomes ``gewiste cliënt #<id>``, and so does the object of an
    entry when it names the client or an account of it; the file name or subject of something
    the client supplied or wrote becomes ``[gewist]``; details holding one of its names or
    addresses lose them. Returns how many entries changed."""
    label = neutral(client.pk)
    ids = {a.pk for a in accounts}
    # Addresses of accounts removed earlier (a company's extra accounts) are in their removal's
    # details.
    removed = AuditEntry.objects.filter(client_id=client.pk, action="account.removed")
    earlier = [data.get("email") for data in removed.values_list("data", flat=True)]
    personal = {
        text.casefold()
        for text in [
            client.name,
            *(a.email for a in accounts),
            *(a.full_name for a in accounts),
            *(str(e) for e in earlier if e),
        ]
        if text
    }
    # Each part of the search runs on an index (client, actor, action, dossier): the sweep may
    # erase many clients in one run over a long trail.
    typed = Q()
    for text in personal:
        typed |= Q(target__iexact=text)
    candidates = (
        Q(client_id=client.pk) | Q(actor_id__in=ids) | (Q(action__in=ADDRESS_ACTIONS) & typed)
    )
    entry_ids = set(AuditEntry.objects.filter(candidates).values_list("pk", flat=True))
    # Entries naming a file or message of the client's, by staff too: in its dossiers.
    for chunk in _chunks(list(dossiers)):
        entry_ids.update(
            AuditEntry.objects.filter(dossier_id__in=chunk, action__in=CONTENT_ACTIONS).values_list(
                "pk", flat=True
            )
        )
    content = {"document": set(documents), "message": set(messages)}
    changed = 0
    for chunk in _chunks(sorted(entry_ids)):
        updated = []
        for entry in AuditEntry.objects.filter(pk__in=chunk):
            if _scrub_entry(entry, label, ids, personal, content, client.pk):
                updated.append(entry)
        AuditEntry.objects.bulk_update(updated, ["actor_label", "target", "data", "ip_address"])
        changed += len(updated)
    return changed


def _scrub_entry(
    entry: AuditEntry,
    label: str,
    ids: set[int],
    personal: set[str],
    content: dict[str, set[int]],
    client_pk: int,
) -> bool:
    before = (entry.actor_label, entry.target, entry.data, entry.ip_address)
    about_client = entry.client_id == client_pk
    if entry.actor_id in ids or entry.actor_label.casefold() in personal:
        # The client's own action: who it was, and from which address, are its personal data.
        entry.actor_label = label
        entry.ip_address = None
    data = entry.data if isinstance(entry.data, dict) else {}
    if entry.target.casefold() in personal or (
        about_client and entry.action.startswith(PERSONAL_TARGETS)
    ):
        entry.target = label
    elif any(data.get(key) in values for key, values in content.items()):
        entry.target = ERASED_CONTENT
    entry.data = _scrub_data(data, label, personal, about_client)
    return (entry.actor_label, entry.target, entry.data, entry.ip_address) != before


def _scrub_data(value: Any, label: str, personal: set[str], about_client: bool) -> Any:
    if isinstance(value, dict):
        return {
            key: label
            if about_client and key in PERSONAL_KEYS
            else _scrub_data(item, label, personal, about_client)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrub_data(item, label, personal, about_client) for item in value]
    if isinstance(value, str) and value.casefold() in personal:
        return label
    return value


def _chunks(values: Iterable[int]) -> Iterable[list[int]]:
    chunk: list[int] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- clients left without a dossier --------------------------------------------------------


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` that many calendar months later (the 31st becomes the month's last day)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def warning_period() -> timedelta:
    return timedelta(days=settings.CLIENT_INACTIVE_WARNING_DAYS)


@shared_task
@per_office
def remove_inactive_clients() -> int:
    """The daily sweep (R-RET-3) of clients without a dossier: notes since when a client has
    had none (cleared when it gets one again), warns its accounts once by e-mail
    ``CLIENT_INACTIVE_WARNING_DAYS`` before the end of ``CLIENT_INACTIVE_MONTHS`` (counted from
    the later of that moment and the last login of its accounts; a login or a new dossier
    cancels the warning), and erases it once the period has passed and the warning has had
    its days. Returns how many clients were erased."""
    now = timezone.now()
    has_dossier = Exists(DossierAccess.objects.filter(client=OuterRef("pk")))
    # A dossier again: the count starts afresh, a warning given is void.
    Client.objects.filter(has_dossier).filter(
        Q(no_dossier_since__isnull=False) | Q(erasure_warned_at__isnull=False)
    ).update(no_dossier_since=None, erasure_warned_at=None)
    Client.objects.filter(~has_dossier, no_dossier_since__isnull=True).update(no_dossier_since=now)
    rows = (
        Client.objects.filter(~has_dossier, no_dossier_since__isnull=False)
        .annotate(last_login=Max("accounts__last_login"))
        .order_by("pk")
    )
    erased = 0
    for client in rows.iterator():
        start = _inactive_since(client)
        if client.erasure_warned_at is not None and start > client.erasure_warned_at:
            # Logged in after the warning: the warning is void.
            Client.objects.filter(pk=client.pk).update(erasure_warned_at=None)
            client.erasure_warned_at = None
        ends = add_months(start, settings.CLIENT_INACTIVE_MONTHS)
        if client.erasure_warned_at is None:
            if now >= ends - warning_period():
                warn(client)
            continue
        if now >= ends and now >= client.erasure_warned_at + warning_period():
            try:
                erase_client(client=client, reason="inactive")
            except ErasureRefused:
                continue  # something of it sits in a held or open dossier: it waits
            erased += 1
    return erased


def _inactive_since(client: Client) -> datetime:
    since = client.no_dossier_since
    assert since is not None  # the query selects only these
    last_login = getattr(client, "last_login", None)
    return max(since, last_login) if last_login else since


@transaction.atomic
def warn(client: Client) -> None:
    """The one warning before removal: a content-free e-mail to each active account."""
    Client.objects.filter(pk=client.pk).update(erasure_warned_at=timezone.now())
    for account in User.objects.filter(client=client, is_active=True).order_by("pk"):
        queue_email(
            to_user=account,
            template="inactive_warning",
            context={"days": settings.CLIENT_INACTIVE_WARNING_DAYS},
        )
    record("client.erasure_warned", target=client)
