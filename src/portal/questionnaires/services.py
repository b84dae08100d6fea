"""Actions: one path for the client pages, the staff workspace, the API, the admin (templates)
and the demo data (R-Q-1..4, R-HOME-3, R-OFF-5, R-X-1).

- ``send_questionnaire`` freezes a template into a new action for a client and a dossier.
- ``request_upload`` asks a client for a named document.
- ``save_page`` stores a page's answers under an optimistic version number (``StaleVersion``
  when another tab saved in between: nothing is overwritten silently).
- ``complete_questionnaire`` locks the answers once (a second submit changes nothing) and,
  after commit, queues the PDF task; ``pdf.store_pdf`` makes the PDF at most once and supplies it
  to the dossier through ``documents.services.supply_document``.
- ``supply_for_request`` / ``complete_upload_request`` for upload requests.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Max, When, Window
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Client, User
from portal.audit.services import record
from portal.documents import services as document_services
from portal.documents.models import Document
from portal.dossiers.models import Dossier, DossierAccess

from . import tasks
from .forms import PageForm
from .models import Action, QuestionnaireTemplate
from .pdf import fit_title
from .signals import action_updated, questionnaire_completed, questionnaire_sent

NAV_ACTIONS = 5  # open actions listed in the bar on every page; the rest behind "all actions"


class StaleVersion(Exception):
    """The questionnaire was saved by another tab or window since this page was shown."""

    def __init__(self, current: Action):
        super().__init__("stale version")
        self.current = current


class NotOpen(Exception):
    """The action is already completed: its answers are locked."""


def _check_grant(*, dossier: Dossier, client: Client) -> None:
    if not DossierAccess.objects.filter(dossier=dossier, client=client).exists():
        raise ValidationError(_("This client has no access to this dossier."))


def send_questionnaire(
    *, template: QuestionnaireTemplate, dossier: Dossier, client: Client, by: User | None = None
) -> Action:
    """R-Q-1/R-OFF-5: send a questionnaire to ``client`` for ``dossier``; it appears under
    "Acties". The template is frozen into the action (later edits change nothing sent)."""
    _check_grant(dossier=dossier, client=client)
    snapshot = template.snapshot()
    if not any(page["questions"] for page in snapshot["pages"]):
        raise ValidationError(_("This questionnaire has no questions yet."))
    with transaction.atomic():
        action = Action.objects.create(
            kind=Action.Kind.QUESTIONNAIRE,
            dossier=dossier,
            client=client,
            template=template,
            title_nl=template.title_nl,
            title_en=template.title_en,
            description_nl=template.intro_nl,
            description_en=template.intro_en,
            snapshot=snapshot,
            sent_by=by,
        )
        record(
            "questionnaire.sent",
            actor=by,
            dossier=dossier,
            target=action.title_nl,
            action_id=action.pk,
            client=client.pk,
            template=template.pk,
        )
        transaction.on_commit(
            lambda: questionnaire_sent.send(sender=Action, dossier=dossier, client=client)
        )
    return action


def request_upload(
    *,
    dossier: Dossier,
    client: Client,
    title_nl: str,
    title_en: str = "",
    description_nl: str = "",
    description_en: str = "",
    by: User | None = None,
) -> Action:
    """Ask ``client`` for a named document ("Upload verzoek"), e.g. "Kopie legitimatiebewijs"."""
    _check_grant(dossier=dossier, client=client)
    with transaction.atomic():
        action = Action.objects.create(
            kind=Action.Kind.UPLOAD,
            dossier=dossier,
            client=client,
            title_nl=title_nl,
            title_en=title_en,
            description_nl=description_nl,
            description_en=description_en,
            sent_by=by,
        )
        record(
            "upload_request.sent",
            actor=by,
            dossier=dossier,
            target=title_nl,
            action_id=action.pk,
            client=client.pk,
        )
        transaction.on_commit(
            lambda: questionnaire_sent.send(sender=Action, dossier=dossier, client=client)
        )
    return action


def open_actions(user: User | AnonymousUser, *, current: int | None = None) -> dict[str, Any]:
    """R-HOME-3: the count of ``user``'s open actions and the first few, in ONE query (the
    count is a window over the same rows, so it holds even when only a few are fetched).

    ``current``: the action whose page is open. It still counts (``count``: the number on
    the navigation, the Home tile and the list agree) but the bar neither lists nor counts it
    (``others``, ``items``): the client is doing it already."""
    rows = (
        Action.objects.visible_to(user)
        .open()
        .select_related("dossier")
        # Only what the bar shows: not the snapshot and answers (JSON decoded per row).
        .only("kind", "title_nl", "title_en", "dossier__number", "dossier__description")
        .annotate(total=Window(Count("pk")))
        .order_by("created_at", "pk")
    )
    if current is None:
        items = list(rows[:NAV_ACTIONS])
        # ``total`` and ``current_open`` are the Window annotations above (ActionQuerySet is not
        # generic, so its rows do not carry annotation types).
        count: int = items[0].total if items else 0  # type: ignore[attr-defined]
        return {"count": count, "others": count, "items": items}
    with_current = list(
        rows.annotate(
            current_open=Window(
                Max(Case(When(pk=current, then=1), default=0, output_field=IntegerField()))
            )
        )[: NAV_ACTIONS + 1]
    )
    count = with_current[0].total if with_current else 0  # type: ignore[attr-defined]
    open_here: int = with_current[0].current_open if with_current else 0  # type: ignore[attr-defined]
    return {
        "count": count,
        "others": count - open_here,
        "items": [row for row in with_current if row.pk != current][:NAV_ACTIONS],
    }


def save_page(
    *, action: Action, index: int, answers: dict[str, Any], valid: bool, version: int, by: User
) -> Action:
    """Store the answers of page ``index`` (R-Q-2). ``valid``: they passed validation and the
    page counts as done; otherwise they are kept as typed and the page is not done.

    Raises ``StaleVersion`` (nothing saved) when another tab saved since ``version`` was shown,
    and ``NotOpen`` once the questionnaire is completed."""
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        if not current.is_open:
            raise NotOpen
        if current.version != version:
            raise StaleVersion(current)
        merged = {**current.answers, **answers}
        done = set(current.pages_done)
        if valid:
            done.add(index)
        else:
            done.discard(index)
        # The version check again in the UPDATE itself: a compare-and-set that holds on any
        # database, also where SELECT … FOR UPDATE is a no-op (SQLite).
        updated = Action.objects.filter(pk=action.pk, version=version, status=Action.Status.OPEN)
        if not updated.update(
            answers=merged,
            pages_done=sorted(done),
            version=F("version") + 1,
            updated_at=timezone.now(),
        ):
            raise StaleVersion(Action.objects.get(pk=action.pk))
        action_updated.send(sender=Action, action=current)
    current.answers, current.pages_done, current.version = merged, sorted(done), version + 1
    return current


def invalid_pages(action: Action) -> list[int]:
    """The pages whose stored answers do not pass validation (again) — checked on submit."""
    bad = []
    for index, page in enumerate(action.pages):
        data = {}
        for question in page["questions"]:
            value = action.answers.get(question["key"], "")
            data[question["key"]] = value
        form = PageForm(page, data=_as_querydict(data))
        if index not in action.pages_done or not form.is_valid():
            bad.append(index)
    return bad


def _as_querydict(data: dict[str, Any]) -> QueryDict:
    qd = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            qd.setlist(key, value)
        else:
            qd[key] = value
    return qd


def complete_questionnaire(*, action: Action, version: int, by: User) -> bool:
    """R-Q-3/R-Q-4: lock the answers and, after commit, make the PDF. Idempotent: only the
    first of two submits completes (a conditional UPDATE on the status); the second returns
    False and queues nothing. Raises ``StaleVersion`` when the answers changed since the
    overview was shown, ``ValidationError`` when a page is not (validly) filled in."""
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        if not current.is_open:
            return False
        if current.version != version:
            raise StaleVersion(current)
        if invalid_pages(current):
            raise ValidationError(_("Not every page has been filled in yet."))
        now = timezone.now()
        completed = Action.objects.filter(
            pk=action.pk, status=Action.Status.OPEN, version=version
        ).update(
            status=Action.Status.COMPLETED,
            completed_at=now,
            completed_by=by,
            version=F("version") + 1,
            updated_at=now,
        )
        if not completed:
            return False
        action_updated.send(sender=Action, action=current)
        record(
            "questionnaire.completed",
            actor=by,
            dossier=current.dossier,
            target=current.title_nl,
            action_id=current.pk,
        )
        pk = current.pk
        # robust: with the broker down the beat task make_missing_pdfs makes it later.
        transaction.on_commit(lambda: tasks.make_questionnaire_pdf.delay(pk), robust=True)
        transaction.on_commit(lambda: questionnaire_completed.send(sender=Action, action=current))
    return True


def _supplied_title(title: str, name: str) -> str:
    """The title of a file supplied for an upload request: the request's title and the file
    name."""
    return fit_title(f"{title} ({name})") if name else title


def supply_for_request(*, action: Action, file: File[bytes], name: str, by: User) -> Document:
    """Store one file for an upload request through ``supply_document`` (checked, scanned,
    audited). Raises ``UploadRejected`` with the reason, ``NotOpen`` when already done."""
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        if not current.is_open:
            raise NotOpen
        document = document_services.supply_document(
            dossier=current.dossier,
            file=file,
            name=name,
            title=_supplied_title(current.title, name),
            by=by,
        )
        current.supplied_documents.add(document)
    return document


def complete_upload_request(*, action: Action, by: User) -> bool:
    """The client is done with an upload request (at least one file supplied). Idempotent."""
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        if not current.is_open:
            return False
        if not current.supplied_documents.exists():
            raise ValidationError(_("Choose at least one file."))
        now = timezone.now()
        done = Action.objects.filter(pk=action.pk, status=Action.Status.OPEN).update(
            status=Action.Status.COMPLETED,
            completed_at=now,
            completed_by=by,
            version=F("version") + 1,
            updated_at=now,
        )
        if done:
            action_updated.send(sender=Action, action=current)
            record(
                "upload_request.completed",
                actor=by,
                dossier=current.dossier,
                target=current.title_nl,
                action_id=current.pk,
                documents=list(current.supplied_documents.values_list("pk", flat=True)),
            )
    return bool(done)


def mark_handled(*, action: Action, by: User | None) -> bool:
    """R-OFF-4/5: the office has seen a completed questionnaire or fulfilled upload request (it
    leaves the workspace's inbox). Returns False if it was open or handled already."""
    with transaction.atomic():
        done = Action.objects.filter(
            pk=action.pk, status=Action.Status.COMPLETED, handled_at__isnull=True
        ).update(handled_at=timezone.now(), handled_by=by)
        if done:
            record(
                "action.handled",
                actor=by,
                dossier=action.dossier,
                target=action.title_nl,
                action_id=action.pk,
            )
    return bool(done)


@transaction.atomic
def save_template(*, template: QuestionnaireTemplate, by: User | None = None) -> None:
    """Save a questionnaire template (R-OFF-5), new or changed, as an office administrator
    configures it; its pages and questions are saved with it, in the same transaction. Sent
    questionnaires keep the snapshot they were sent with."""
    created = template.pk is None
    template.save()
    record(
        "questionnaire_template.created" if created else "questionnaire_template.changed",
        actor=by,
        target=template.title_nl,
    )


@transaction.atomic
def delete_template(*, template: QuestionnaireTemplate, by: User | None = None) -> None:
    record("questionnaire_template.deleted", actor=by, target=template.title_nl)
    template.delete()


def cancel_action(*, action: Action, by: User | None) -> bool:
    """The office takes back an open questionnaire or upload request (R-OFF-5): the client no
    longer sees it (``Action.objects.visible_to``); answers or files already supplied stay
    with the office. Returns False if it was no longer open."""
    with transaction.atomic():
        now = timezone.now()
        done = Action.objects.filter(pk=action.pk, status=Action.Status.OPEN).update(
            status=Action.Status.CANCELLED, version=F("version") + 1, updated_at=now
        )
        if done:
            action_updated.send(sender=Action, action=action)
            record(
                "questionnaire.cancelled"
                if action.kind == Action.Kind.QUESTIONNAIRE
                else "upload_request.cancelled",
                actor=by,
                dossier=action.dossier,
                target=action.title_nl,
                action_id=action.pk,
            )
    return bool(done)
