"""Notification e-mails (R-ME-3, R-X-5): who is told what, and the digest.

``notify`` stores one ``PendingNotification`` per client account that wants this kind of
e-mail and, after commit, schedules ``send_digest`` for that user ``NOTIFICATION_DIGEST_SECONDS``
later (only when it is the user's first pending event, so a burst schedules one task). The task
turns all of the user's pending events into ONE e-mail that says only what kind of thing waits,
with a link: no titles, subjects or dossier numbers. The beat task ``send_due_notifications``
sends whatever is older than the window, in case a task was lost (broker down).

Both digest tasks are defined here, beside ``notify`` that schedules them and the code they run:
the e-mail delivery tasks (``tasks``) sit below ``email``, which queues them, and this module
above ``email``. Users are reached through ``get_user_model()``, as the models reach them
through ``AUTH_USER_MODEL``: the notifications app sits below accounts.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

if TYPE_CHECKING:  # for the signatures only: no import of these apps at run time
    from django.db.models import QuerySet

    from portal.accounts.models import Client, User
    from portal.dossiers.models import Dossier

from portal.offices.services import per_office

from .email import queue_email
from .models import NotificationPreferences, PendingNotification

log = logging.getLogger(__name__)

EVENTS = {"document": "documents", "questionnaire": "questionnaires", "message": "messages"}


def preferences(user: User) -> NotificationPreferences:
    """The user's preferences (unsaved defaults when there is no row)."""
    prefs = NotificationPreferences.objects.filter(user=user).first()
    return prefs or NotificationPreferences(user=user)


def set_preferences(*, user: User, documents: bool, questionnaires: bool, messages: bool) -> None:
    NotificationPreferences.objects.update_or_create(
        user=user,
        defaults={"documents": documents, "questionnaires": questionnaires, "messages": messages},
    )


def recipients(*, event: str, dossier: Dossier, client: Client | None = None) -> QuerySet[User]:
    """The active client accounts that see ``dossier`` (of ``client`` only, if given) and want
    ``event`` e-mails."""
    field = EVENTS[event]
    users = (
        get_user_model()
        .objects.filter(is_active=True, client__grants__dossier=dossier, client__isnull=False)
        .exclude(**{f"notification_preferences__{field}": False})
    )
    if client is not None:
        users = users.filter(client=client)
    return users.distinct()


def notify(*, event: str, dossier: Dossier, client: Client | None = None) -> int:
    """Something of kind ``event`` waits in ``dossier`` (for ``client`` only, if given): queue
    the notification e-mails. Returns the number of users told."""
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}")
    told = 0
    with transaction.atomic():
        for user in recipients(event=event, dossier=dossier, client=client):
            first = not PendingNotification.objects.filter(user=user).exists()
            PendingNotification.objects.create(user=user, event=event)
            if first:
                transaction.on_commit(partial(schedule_digest, user.pk))
            told += 1
    return told


def schedule_digest(user_pk: int) -> None:
    try:
        send_digest.apply_async(args=(user_pk,), countdown=settings.NOTIFICATION_DIGEST_SECONDS)
    except Exception:  # broker down: the beat sweep sends it later
        log.exception("Could not schedule the notification digest of user %s", user_pk)


@shared_task
@transaction.atomic
def send_digest(user_pk: int) -> bool:
    """The notification e-mail of one user: every pending event in one (R-ME-3). Returns True
    if an e-mail was queued."""
    user = get_user_model().objects.select_for_update().filter(pk=user_pk, is_active=True).first()
    pending = PendingNotification.objects.filter(user_id=user_pk)
    events = set(pending.values_list("event", flat=True))
    pending.delete()
    if user is None or not events:
        return False
    prefs = preferences(user)
    events = {event for event in events if getattr(prefs, EVENTS[event])}
    if not events:
        return False
    queue_email(
        to_user=user,
        template="notification",
        context={
            "documents": "document" in events,
            "questionnaires": "questionnaire" in events,
            "messages": "message" in events,
        },
    )
    return True


def due_users() -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=settings.NOTIFICATION_DIGEST_SECONDS + 30)
    return list(
        PendingNotification.objects.filter(created_at__lte=cutoff)
        .values_list("user_id", flat=True)
        .distinct()
    )


@shared_task
@per_office
def send_due_notifications() -> int:
    """The sweep: digests whose task was lost (broker down) go out now."""
    return sum(send_digest(pk) for pk in due_users())
