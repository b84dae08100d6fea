"""The changes feed (R-OFF-6): one ``Change`` row for every write to something the API shows,
recorded by model signals so no service can forget it, in the transaction of the write.

What is recorded (``resource``, ``object_id``, ``dossier_id``):

- ``client`` (the client's id): the client saved or deleted; one of its accounts saved or
  deleted (the accounts are part of the client's representation).
- ``staff`` (the account's id): an account of the office (not a client's) saved or deleted.
- ``dossier``, ``document``, ``message``, ``questionnaire``, ``upload_request``,
  ``approval_request``, ``questionnaire_template``, ``status``, ``webhook_endpoint``: the row's
  own id. Withdrawing a document deletes it. An upload request's supplied files changing updates it.
- ``access`` (the client's id, with the dossier): a grant made (``created``) or taken away
  (``deleted``).
- ``step`` (the step's row id, with the dossier): read the dossier's steps again.
- ``read``: a client's account opened a message or a document for the first time.

Writes that bypass ``save()`` send a signal of their app instead (``action_updated``); what
the API does not show (login times, tokens, the office's inbox marks) is not recorded."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from portal import pruning
from portal.accounts.models import Client, User
from portal.documents.models import Document, DocumentRead
from portal.dossiers.models import Dossier, DossierAccess, ProgressStep
from portal.messaging.models import Message, MessageRead
from portal.offices.models import DossierStatus, Office
from portal.questionnaires.models import Action, QuestionnaireTemplate
from portal.questionnaires.signals import action_updated

from .models import Change, ChangeAction, WebhookEndpoint

#: The fields of an account the API shows (a save of other fields, a login, is not a change).
ACCOUNT_FIELDS = frozenset(
    {
        "email",
        "full_name",
        "language",
        "is_main_account",
        "password_set_at",
        "is_active",
        "is_staff",
        "staff_role",
        "client",
    }
)

Target = tuple[str, int, int | None]

#: Every ``resource`` the feed names.
RESOURCES = (
    "client",
    "staff",
    "dossier",
    "access",
    "step",
    "document",
    "message",
    "questionnaire",
    "upload_request",
    "approval_request",
    "questionnaire_template",
    "status",
    "webhook_endpoint",
)
RESOURCE_CHOICES = [(name, name) for name in RESOURCES]


#: The API resource of each kind of action.
ACTION_RESOURCES: dict[str, str] = {
    Action.Kind.QUESTIONNAIRE: "questionnaire",
    Action.Kind.UPLOAD: "upload_request",
    Action.Kind.APPROVAL: "approval_request",
}


def _action_resource(action: Action) -> str:
    return ACTION_RESOURCES.get(action.kind, "upload_request")


def _target(instance: models.Model) -> Target | None:
    """What the API calls ``instance``: (resource, object id, dossier id), or None."""
    if isinstance(instance, Dossier):
        return "dossier", instance.pk, instance.pk
    if isinstance(instance, Document):
        return "document", instance.pk, instance.dossier_id
    if isinstance(instance, Message):
        return "message", instance.pk, instance.dossier_id
    if isinstance(instance, Action):
        return _action_resource(instance), instance.pk, instance.dossier_id
    if isinstance(instance, ProgressStep):
        return "step", instance.pk, instance.dossier_id
    if isinstance(instance, DossierAccess):
        return "access", instance.client_id, instance.dossier_id
    if isinstance(instance, Client):
        return "client", instance.pk, None
    if isinstance(instance, User):
        if instance.client_id is not None:
            return "client", instance.client_id, None
        return "staff", instance.pk, None  # an account of the office, active or not
    if isinstance(instance, QuestionnaireTemplate):
        return "questionnaire_template", instance.pk, None
    if isinstance(instance, DossierStatus):
        return "status", instance.pk, None
    if isinstance(instance, WebhookEndpoint):
        return "webhook_endpoint", instance.pk, None
    return None


TRACKED: tuple[type[models.Model], ...] = (
    Dossier,
    Document,
    Message,
    Action,
    ProgressStep,
    DossierAccess,
    Client,
    User,
    QuestionnaireTemplate,
    DossierStatus,
    WebhookEndpoint,
)


def record(targets: Iterable[Target], action: str, office_id: int | None) -> None:
    """Store the changes, for the office of the changed row, in the running transaction. A row
    of no office (a hosting administrator's account) is in no office's feed."""
    rows = list(targets)
    if not rows or office_id is None:
        return
    for resource, object_id, dossier_id in rows:
        # One INSERT per change: a write records one or two, and each takes its number now.
        Change.objects.create(
            office_id=office_id,
            resource=resource,
            object_id=object_id,
            dossier_id=dossier_id,
            action=action,
        )


def _tracked(sender: Any) -> bool:
    return isinstance(sender, type) and issubclass(sender, TRACKED)


@receiver(post_save, dispatch_uid="changes_saved")
def on_saved(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    if raw:  # fixtures and restores: not a change anyone made
        return
    if isinstance(instance, DocumentRead | MessageRead):
        if created:
            _on_read(instance)
        return
    if not _tracked(sender):
        return
    if isinstance(instance, User) and update_fields and not ACCOUNT_FIELDS & set(update_fields):
        return
    if isinstance(instance, DossierAccess) and not created:  # a grant is made, or taken away
        return
    target = _target(instance)
    if target is None:
        return
    if created and not (isinstance(instance, User) and target[0] == "client"):
        record([target], ChangeAction.CREATED, instance.office_id)
    else:  # an account added to a client changes the client
        record([target], ChangeAction.UPDATED, instance.office_id)


def _on_read(read: DocumentRead | MessageRead) -> None:
    reader = read.user
    if reader.client_id is None:  # the office's own reading is not shown
        return
    if isinstance(read, DocumentRead):
        document = read.document
        own = document.uploaded_by_id == reader.pk
        target: Target = ("document", document.pk, document.dossier_id)
    else:
        message = read.message
        own = message.author_id == reader.pk
        target = ("message", message.pk, message.dossier_id)
    if not own:  # not what the client sent or supplied itself
        record([target], ChangeAction.READ, read.office_id)


def _deleting_office(origin: Any) -> bool:
    """The office itself is being deleted: its changes go with it; none is added."""
    if isinstance(origin, Office):
        return True
    return isinstance(origin, models.QuerySet) and origin.model is Office


@receiver(post_delete, dispatch_uid="changes_deleted")
def on_deleted(sender, instance, origin=None, **kwargs) -> None:
    if not _tracked(sender) or _deleting_office(origin):
        return
    target = _target(instance)
    if target is None:
        return
    if isinstance(instance, User) and target[0] == "client":
        if isinstance(origin, Client):  # the client goes, and says so itself
            return
        record([target], ChangeAction.UPDATED, instance.office_id)
        return
    record([target], ChangeAction.DELETED, instance.office_id)


@receiver(m2m_changed, sender=Action.supplied_documents.through, dispatch_uid="changes_m2m")
def on_supplied_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """An upload request's supplied files changed (from either side)."""
    if reverse:  # ``instance`` is a document: the requests it joined or left
        if action == "pre_clear":
            actions = list(instance.upload_requests.all())
        elif action in ("post_add", "post_remove"):
            actions = list(Action.objects.filter(pk__in=pk_set or ()))
        else:
            return
    elif action in ("post_add", "post_remove", "post_clear"):
        actions = [instance]
    else:
        return
    record(
        [(_action_resource(a), a.pk, a.dossier_id) for a in actions],
        ChangeAction.UPDATED,
        instance.office_id,
    )


@receiver(action_updated, dispatch_uid="changes_action_updated")
def on_action_updated(sender, action, **kwargs) -> None:
    """A questionnaire or upload request changed by a compare-and-set UPDATE (no save())."""
    record(
        [(_action_resource(action), action.pk, action.dossier_id)],
        ChangeAction.UPDATED,
        action.office_id,
    )


# --- reading the feed --------------------------------------------------------------------------


def settled_before(now: datetime | None = None) -> datetime:
    """Changes at or before this moment are listed. A change is listed once it is
    ``CHANGES_SETTLE_SECONDS`` old: sequence numbers are taken when a row is written, not when
    its transaction commits, so a later number can become visible before an earlier one; after
    the settle window every transaction that took an earlier number has ended."""
    return (now or timezone.now()) - timedelta(seconds=settings.CHANGES_SETTLE_SECONDS)


def kept_since() -> datetime:
    """Changes older than this may have been pruned."""
    return pruning.cutoff(settings.CHANGES_RETENTION_DAYS)


def feed(
    changes: models.QuerySet[Change], *, after: int, limit: int, until: datetime
) -> list[Change]:
    """Up to ``limit`` of ``changes`` after sequence number ``after``, in sequence order, up to
    the first that is not settled by ``until``: moments are taken just before the numbers, so
    a number can be settled while an earlier one is not yet, and none may be skipped."""
    rows = list(changes.filter(pk__gt=after).order_by("pk")[:limit])
    young = next((i for i, row in enumerate(rows) if row.at > until), len(rows))
    return rows[:young]


def first_after(changes: models.QuerySet[Change], moment: datetime) -> int:
    """The sequence number to resume after so that the feed holds every change from ``moment``
    on: the last one a settle window before it (a few earlier changes may come along)."""
    earlier = changes.filter(at__lt=moment - timedelta(seconds=settings.CHANGES_SETTLE_SECONDS))
    return earlier.order_by("-pk").values_list("pk", flat=True).first() or 0


def prune() -> int:
    old = Change.objects.filter(at__lt=kept_since())
    return pruning.delete_in_batches(old, "changes")
