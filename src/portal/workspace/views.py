"""The staff workspace (R-OFF-1..5, R-X-1). Thin views: every change goes through the services
of the app that owns it (accounts, dossiers, documents, messaging, questionnaires), which record
the audit entries and queue the e-mails. Every page is behind ``access.staff_view``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts import services as account_services
from portal.accounts.models import Client, User
from portal.audit.models import AuditEntry
from portal.documents import services as document_services
from portal.documents.models import Document
from portal.dossiers import services as dossier_services
from portal.dossiers.models import Dossier, DossierAccess
from portal.dossiers.services import StepInput
from portal.files.upload_handlers import limit_upload_size, upload_refusals
from portal.files.uploads import UploadRejected, sanitise_filename
from portal.messaging import services as message_services
from portal.messaging.models import MAX_BODY_CHARS, Message
from portal.questionnaires import services as action_services
from portal.questionnaires.approvals import approvable_documents
from portal.questionnaires.models import Action
from portal.questionnaires.presentation import answer_rows
from portal.request_types import AuthenticatedRequest
from portal.retention import services as retention_services
from portal.twofactor import services as twofactor
from portal.twofactor.login import is_verified
from portal.ui import compose as message_compose
from portal.ui import preview as document_viewer
from portal.ui.compose import MessageForm
from portal.ui.files import file_response

from . import queries
from . import signing as signing_views
from .access import is_staff_member, staff_member_only, staff_view
from .forms import (
    AccountForm,
    ApprovalRequestForm,
    ClientForm,
    DossierEditForm,
    DossierForm,
    GrantForm,
    HoldForm,
    PublishForm,
    QuestionnaireForm,
    SearchForm,
    UploadRequestForm,
)

PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50
DOSSIER_ROWS = 25  # latest documents, messages and actions shown on the dossier page
DOSSIER_TRAIL_ROWS = 5  # latest audit entries on the dossier page (the rest on its own page)


def _page(
    request: AuthenticatedRequest, rows: Sequence[Any] | QuerySet[Any], size: int = PAGE_SIZE
) -> Page[Any]:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _back(request: AuthenticatedRequest, default: str) -> HttpResponse:
    """Back to the page the form was on (a local path only)."""
    target = request.POST.get("next", "")
    if target.startswith("/kantoor/") and "//" not in target:
        return redirect(target)
    return redirect(default)


# --- two-step verification ---------------------------------------------------------------------


@staff_member_only
@require_GET
def setup_2fa(request: AuthenticatedRequest) -> HttpResponse:
    """Staff must use two-step verification: choose the authenticator app or SMS."""
    if twofactor.is_enabled(request.user):
        return redirect("workspace:inbox")
    return render(request, "workspace/setup_2fa.html")


# --- inbox ---------------------------------------------------------------------------------------


@staff_view
@require_GET
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    """R-OFF-4: what needs attention, oldest first, with counts."""
    mine = request.GET.get("mine") == "1"
    context = queries.inbox(request.user, mine=mine)
    context["mine"] = mine
    return render(request, "workspace/inbox.html", context)


@staff_view
@require_POST
def message_handled(request: AuthenticatedRequest, msg_id: int) -> HttpResponse:
    message = get_object_or_404(
        Message.objects.select_related("dossier"),
        pk=msg_id,
        direction=Message.Direction.OUTGOING,
    )
    if message_services.mark_handled(message=message, by=request.user):
        flash.success(request, _("Marked as handled: %(subject)s") % {"subject": message.subject})
    return _back(request, reverse("workspace:inbox"))


@staff_view
@require_POST
def document_seen(request: AuthenticatedRequest, doc_id: int) -> HttpResponse:
    document = get_object_or_404(
        Document.objects.select_related("dossier"), pk=doc_id, kind=Document.Kind.SUPPLIED
    )
    document_services.mark_seen_by_office(document=document, by=request.user)
    flash.success(request, _("Marked as seen: %(name)s") % {"name": document.original_name})
    return _back(request, reverse("workspace:inbox"))


@staff_view
@require_POST
def action_handled(request: AuthenticatedRequest, action_id: int) -> HttpResponse:
    action = get_object_or_404(Action.objects.select_related("dossier"), pk=action_id)
    if action_services.mark_handled(action=action, by=request.user):
        flash.success(request, _("Marked as handled: %(title)s") % {"title": action.title})
    return _back(request, reverse("workspace:inbox"))


# --- search --------------------------------------------------------------------------------------


@staff_view
@require_GET
def search(request: AuthenticatedRequest) -> HttpResponse:
    """R-OFF: one box for dossiers and clients (number, description, name, e-mail)."""
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    dossiers = clients = []
    if text:
        dossiers = list(queries.dossier_rows(text)[: queries.SEARCH_ROWS])
        clients = list(queries.client_rows(text)[: queries.SEARCH_ROWS])
    return render(
        request,
        "workspace/search.html",
        {
            "form": form,
            "q": text,
            "dossiers": dossiers,
            "clients": clients,
            "limit": queries.SEARCH_ROWS,
        },
    )


# --- dossiers ------------------------------------------------------------------------------------


@staff_view
@require_GET
def dossier_list(request: AuthenticatedRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    rows = queries.dossier_rows(text)
    if request.GET.get("mine") == "1":
        rows = rows.filter(handler=request.user)
    page = _page(request, rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workspace/dossier_list.html",
        {"form": form, "page": page, "query_string": query.urlencode()},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def dossier_new(request: AuthenticatedRequest) -> HttpResponse:
    form = DossierForm(request.POST or None, initial={"handler": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dossier = dossier_services.create_dossier(
            number=data["number"],
            description=data["description"],
            status=data["status"],
            handler=data["handler"],
            by=request.user,
        )
        flash.success(request, _("Dossier %(number)s created.") % {"number": dossier.number})
        return redirect("workspace:dossier", pk=dossier.pk)
    return render(request, "workspace/dossier_new.html", {"form": form})


def _dossier(pk: int) -> Dossier:
    return get_object_or_404(Dossier.objects.select_related("status", "handler"), pk=pk)


def _granted_clients(dossier: Dossier) -> list[Client]:
    return [
        grant.client
        for grant in DossierAccess.objects.filter(dossier=dossier)
        .select_related("client")
        .order_by("client__name")
    ]


def _dossier_context(
    request: AuthenticatedRequest, dossier: Dossier, **forms: Any
) -> dict[str, Any]:
    clients = _granted_clients(dossier)
    documents = list(dossier.documents.select_related("uploaded_by")[:DOSSIER_ROWS])
    message_list = list(message_services.for_list(dossier, request.user)[:DOSSIER_ROWS])
    actions = list(dossier.actions.select_related("client", "approval")[:DOSSIER_ROWS])
    context = {
        "dossier": dossier,
        "clients": clients,
        "steps": list(dossier.steps.all()),
        "documents": documents,
        "message_list": message_list,
        "actions": actions,
        "edit_form": forms.get("edit_form")
        or DossierEditForm(
            initial={
                "description": dossier.description,
                "status": dossier.status_id,
                "handler": dossier.handler_id,
            }
        ),
        "grant_form": forms.get("grant_form") or GrantForm(),
        "retention": retention_services.for_dossier(dossier),
        "hold_form": forms.get("hold_form") or HoldForm(),
        "publish_form": forms.get("publish_form") or PublishForm(),
        "refused": forms.get("refused") or [],
        "questionnaire_form": forms.get("questionnaire_form") or QuestionnaireForm(clients=clients),
        "upload_form": forms.get("upload_form") or UploadRequestForm(clients=clients),
        "approval_form": forms.get("approval_form")
        or ApprovalRequestForm(clients=clients, documents=approvable_documents(dossier)[:200]),
        **signing_views.dossier_context(dossier),
        "rows": DOSSIER_ROWS,
        "trail": list(
            AuditEntry.objects.filter(dossier=dossier)
            .select_related("dossier")
            .order_by("-at", "-pk")[:DOSSIER_TRAIL_ROWS]
        ),
    }
    return context


@staff_view
@require_GET
def dossier(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    dossier = _dossier(pk)
    return render(request, "workspace/dossier.html", _dossier_context(request, dossier))


def _render_dossier(request: AuthenticatedRequest, dossier: Dossier, **forms: Any) -> HttpResponse:
    response = render(
        request, "workspace/dossier.html", _dossier_context(request, dossier, **forms)
    )
    response.status_code = 400
    return response


@staff_view
@require_POST
def dossier_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-OFF-1: description, status and handler."""
    dossier = _dossier(pk)
    form = DossierEditForm(request.POST)
    if not form.is_valid():
        return _render_dossier(request, dossier, edit_form=form)
    data = form.cleaned_data
    changed = dossier_services.update_dossier(
        dossier=dossier,
        description=data["description"],
        status=data["status"],
        handler=data["handler"],
        by=request.user,
    )
    if changed:
        flash.success(request, _("The dossier was changed."))
    return redirect("workspace:dossier", pk=dossier.pk)


@staff_view
@require_POST
def grant(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    dossier = _dossier(pk)
    form = GrantForm(request.POST)
    if not form.is_valid():
        return _render_dossier(request, dossier, grant_form=form)
    dossier_services.grant_access(dossier=dossier, client=form.client, by=request.user)
    flash.success(request, _("%(client)s now has access.") % {"client": form.client.name})
    return redirect(reverse("workspace:dossier", args=[dossier.pk]) + "#toegang")


@staff_view
@require_POST
def revoke(request: AuthenticatedRequest, pk: int, client_id: int) -> HttpResponse:
    dossier = _dossier(pk)
    client = get_object_or_404(Client, pk=client_id)
    if dossier_services.revoke_access(dossier=dossier, client=client, by=request.user):
        flash.success(request, _("%(client)s no longer has access.") % {"client": client.name})
    return redirect(reverse("workspace:dossier", args=[dossier.pk]) + "#toegang")


@staff_view
@require_POST
def place_hold(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-RET-1: stop the removal of the dossier's portal copies, with a reason."""
    dossier = _dossier(pk)
    form = HoldForm(request.POST)
    if not form.is_valid():
        return _render_dossier(request, dossier, hold_form=form)
    dossier_services.place_hold(
        dossier=dossier, reason=form.cleaned_data["reason"], by=request.user
    )
    flash.success(request, _("The hold was placed."))
    return redirect(reverse("workspace:dossier", args=[dossier.pk]) + "#bewaren")


@staff_view
@require_POST
def lift_hold(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-RET-1: the dossier's portal copies are removed again when their period is over."""
    dossier = _dossier(pk)
    if dossier_services.lift_hold(dossier=dossier, by=request.user):
        flash.success(request, _("The hold was lifted."))
    return redirect(reverse("workspace:dossier", args=[dossier.pk]) + "#bewaren")


MAX_STEPS = 200
MAX_STEP_TITLE = 200


def _step_title(value: str) -> str:
    title = " ".join(value.split())
    if len(title) > MAX_STEP_TITLE:
        raise ValidationError(
            _("A step has at most %(max)d characters; “%(start)s…” has %(n)d.")
            % {"max": MAX_STEP_TITLE, "start": title[:40], "n": len(title)}
        )
    return title


def read_steps(post: QueryDict) -> list[StepInput]:
    """The progress list as posted: rows ``step-<n>-id/-title/-position/-done/-delete`` (the id
    tells ``set_progress`` which step a row continues) and one new row ``new-title``; ordered
    by position (then as posted); "up"/"down" buttons move a row.
    A title over ``MAX_STEP_TITLE`` characters or a list over ``MAX_STEPS`` rows is refused
    (``ValidationError``), never cut."""
    rows: list[tuple[float, int, str, bool, int | None]] = []
    try:
        count = int(post.get("step-count") or 0)
    except ValueError:
        count = 0
    if count > MAX_STEPS:
        raise ValidationError(_("A progress list has at most %(max)d steps.") % {"max": MAX_STEPS})
    for n in range(count):
        title = _step_title(post.get(f"step-{n}-title", ""))
        if not title or post.get(f"step-{n}-delete"):
            continue
        try:
            position = float(post.get(f"step-{n}-position") or n + 1)
        except ValueError:
            position = n + 1
        raw_id = post.get(f"step-{n}-id", "")
        step_id = int(raw_id) if raw_id.isdigit() else None
        rows.append((position, n, title, bool(post.get(f"step-{n}-done")), step_id))
    rows.sort()
    move = post.get("move", "")
    if ":" in move:
        direction, _sep, index = move.partition(":")
        at = next((i for i, row in enumerate(rows) if str(row[1]) == index), None)
        if at is not None:
            other = at - 1 if direction == "up" else at + 1
            if 0 <= other < len(rows):
                rows[at], rows[other] = rows[other], rows[at]
    steps: list[StepInput] = [(title, done, step_id) for _p, _n, title, done, step_id in rows]
    new = _step_title(post.get("new-title", ""))
    if new:
        steps.append((new, False, None))
    return steps


@staff_view
@require_POST
def progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-OFF-2: add, reorder, rename, tick off and remove steps, through ``set_progress``."""
    dossier = _dossier(pk)
    try:
        steps = read_steps(request.POST)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages) + " " + _("Nothing was saved."))
        return redirect(reverse("workspace:dossier", args=[dossier.pk]) + "#voortgang")
    dossier_services.set_progress(dossier=dossier, steps=steps, by=request.user)
    flash.success(request, _("The progress list was saved."))
    return redirect(reverse("workspace:dossier", args=[dossier.pk]) + "#voortgang")


def _may_send_files(request: HttpRequest, pk: int, *args: object, **kwargs: object) -> bool:
    """Decided before a posted body is read (``limit_upload_size``, which runs before
    ``staff_view`` so that CSRF is checked first): the staff gate, and the dossier exists."""
    return (
        is_staff_member(request.user)
        and is_verified(request)
        and Dossier.objects.filter(pk=pk).exists()
    )


@limit_upload_size(reach=_may_send_files)
@staff_view
@require_POST
def publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-OFF-3: several files at once; each through ``publish_document``; refused files are
    listed with the reason, the others are published."""
    dossier = _dossier(pk)
    files = request.FILES.getlist("files")
    form = PublishForm(request.POST, file_count=len(files))
    refused = [f"{r.file_name}: {r.message}" for r in upload_refusals(request)]
    if not form.is_valid() or not (files or refused):
        if not files:
            form.add_error(None, _("Choose one or more files."))
        return _render_dossier(request, dossier, publish_form=form, refused=refused)
    published = []
    for upload, title in zip(files, form.titles(), strict=True):
        try:
            document = document_services.publish_document(
                dossier=dossier,
                kind=form.cleaned_data["kind"],
                title=title,
                file=upload,
                name=upload.name,
                by=request.user,
            )
            published.append(document.title)
        except UploadRejected as exc:
            refused.append(f"{sanitise_filename(upload.name or '')}: {exc}")
    if published:
        flash.success(
            request,
            ngettext(
                "%(n)d file published: %(titles)s.",
                "%(n)d files published: %(titles)s.",
                len(published),
            )
            % {"n": len(published), "titles": ", ".join(f"“{t}”" for t in published)},
        )
    if refused:
        return _render_dossier(request, dossier, publish_form=form, refused=refused)
    return redirect(reverse("workspace:dossier", args=[dossier.pk]) + "#documenten")


@staff_view
@require_GET
def download(request: AuthenticatedRequest, doc_id: int) -> FileResponse:
    """Any document of the office, streamed and recorded (R-X-1) by ``file_response``."""
    document = get_object_or_404(Document.objects.select_related("dossier"), pk=doc_id)
    return file_response(request, document)


def _office_document(doc_id: int) -> Document:
    return get_object_or_404(Document.objects.select_related("dossier", "preview"), pk=doc_id)


@staff_view
@require_GET
def preview(request: AuthenticatedRequest, doc_id: int) -> HttpResponse:
    """R-SIG-3: any document of the office, viewed as page images."""
    document = _office_document(doc_id)
    links = document_viewer.ViewerLinks(
        page_image=lambda number: reverse("workspace:preview_page", args=[document.pk, number]),
        download=reverse("workspace:download", args=[document.pk]),
        back=reverse("workspace:dossier", args=[document.dossier_id]) + "#documenten",
    )
    return document_viewer.viewer(request, document=document, dossier=document.dossier, links=links)


@staff_view
@require_GET
def preview_page(request: AuthenticatedRequest, doc_id: int, page: int) -> FileResponse:
    return document_viewer.page_image(_office_document(doc_id), page)


@staff_view
@require_GET
def audit_trail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-X-1: the dossier's audit trail, newest first, paginated."""
    dossier = _dossier(pk)
    page = _page(
        request,
        AuditEntry.objects.filter(dossier=dossier).select_related("dossier").order_by("-at", "-pk"),
        AUDIT_PAGE_SIZE,
    )
    return render(request, "workspace/audit.html", {"dossier": dossier, "page": page})


@staff_view
@require_GET
def client_audit_trail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-X-1: the trail per client — what its accounts did (logins, downloads,
    messages, refusals) and what was done to it (accounts, invitations, grants)."""
    client = get_object_or_404(Client, pk=pk)
    page = _page(
        request,
        AuditEntry.objects.filter(client=client).select_related("dossier").order_by("-at", "-pk"),
        AUDIT_PAGE_SIZE,
    )
    return render(request, "workspace/audit.html", {"client": client, "page": page})


# --- messages ------------------------------------------------------------------------------------


def _message(dossier: Dossier, msg_id: int) -> Message:
    return get_object_or_404(
        dossier.messages.select_related("author", "handled_by").prefetch_related(
            Prefetch("attachments", queryset=Document.objects.order_by("pk"))
        ),
        pk=msg_id,
    )


@limit_upload_size(reach=_may_send_files)
@staff_view
@require_http_methods(["GET", "POST"])
def message(request: AuthenticatedRequest, pk: int, msg_id: int | None = None) -> HttpResponse:
    """R-OFF-4: read a message and answer it (or write a new one) with attachments, through
    messaging's own compose pieces and ``send_message``."""
    dossier = _dossier(pk)
    original = _message(dossier, msg_id) if msg_id is not None else None
    if request.method == "POST":
        compose = message_compose.read_compose(request, dossier)
        if compose.sent or (
            compose.ready and message_compose.send_composed(request, dossier, compose, original)
        ):
            flash.success(request, _("Your message was sent."))
            return redirect(reverse("workspace:dossier", args=[dossier.pk]) + "#berichten")
    else:
        initial = {}
        if original is not None:
            initial["subject"] = message_services.reply_subject(original.subject)
        compose = message_compose.Compose(MessageForm(initial=initial))
    return render(
        request,
        "workspace/message.html",
        {
            "dossier": dossier,
            "original": original,
            "compose": compose,
            "form": compose.form,
            "max_chars": MAX_BODY_CHARS,
        },
    )


# --- questionnaires and upload requests -----------------------------------------------------------


@staff_view
@require_POST
def send_questionnaire(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-OFF-5."""
    return _send_action(
        request,
        pk,
        QuestionnaireForm,
        "questionnaire_form",
        lambda dossier, client, data: action_services.send_questionnaire(
            template=data["template"],
            dossier=dossier,
            client=client,
            by=request.user,
        ),  # fmt: skip
        _("The questionnaire was sent."),
    )


@staff_view
@require_POST
def request_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _send_action(
        request,
        pk,
        UploadRequestForm,
        "upload_form",
        lambda dossier, client, data: action_services.request_upload(
            dossier=dossier,
            client=client,
            title_nl=data["title_nl"],
            title_en=data["title_en"],
            description_nl=data["description_nl"],
            by=request.user,
        ),  # fmt: skip
        _("The upload request was sent."),
    )


def _send_action(
    request: AuthenticatedRequest,
    pk: int,
    form_class: type[QuestionnaireForm | UploadRequestForm],
    form_name: str,
    send: Callable[[Dossier, Client, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Send a questionnaire or an upload request to one of the dossier's clients: the form
    offers only the clients granted the dossier; a refusal of the service is shown on it."""
    dossier = _dossier(pk)
    clients = _granted_clients(dossier)
    form = form_class(request.POST, clients=clients)
    if form.is_valid():
        client = next(c for c in clients if c.pk == form.cleaned_data["client"])
        try:
            send(dossier, client, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, done)
            return redirect(reverse("workspace:dossier", args=[dossier.pk]) + "#acties")
    return _render_dossier(request, dossier, **{form_name: form})


@staff_view
@require_GET
def action(request: AuthenticatedRequest, action_id: int) -> HttpResponse:
    """The answers of a questionnaire (and its PDF), or the files of an upload request."""
    action = get_object_or_404(
        Action.objects.select_related(
            "dossier", "client", "pdf_document", "handled_by", "approval__answered_by"
        ),
        pk=action_id,
    )
    files = list(action.supplied_documents.all()) if action.kind == Action.Kind.UPLOAD else []
    rows = answer_rows(action) if action.kind == Action.Kind.QUESTIONNAIRE else []
    return render(
        request,
        "workspace/action.html",
        {"action": action, "dossier": action.dossier, "rows": rows, "files": files},
    )


# --- clients -------------------------------------------------------------------------------------


@staff_view
@require_GET
def client_list(request: AuthenticatedRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    page = _page(request, queries.client_rows(text))
    mains = queries.main_accounts(list(page.object_list))
    rows = [(client, mains.get(client.pk)) for client in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workspace/client_list.html",
        {"form": form, "page": page, "rows": rows, "query_string": query.urlencode()},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def client_new(request: AuthenticatedRequest) -> HttpResponse:
    """R-OFF-1: a person or a company with its main account, invited at once if ticked."""
    form = ClientForm(request.POST or None, initial={"kind": Client.Kind.PERSON, "language": "nl"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        client = account_services.create_client(
            kind=data["kind"],
            name=data["name"],
            email=data["email"],
            full_name=data["full_name"],
            language=data["language"],
            reference=data["reference"],
            invite=data["invite"],
            by=request.user,
        )
        flash.success(request, _("Client %(name)s created.") % {"name": client.name})
        return redirect("workspace:client", pk=client.pk)
    return render(request, "workspace/client_new.html", {"form": form})


def _client_context(client: Client, **extra: Any) -> dict[str, Any]:
    accounts = list(client.accounts.order_by("-is_main_account", "email"))
    dossiers = list(
        Dossier.objects.filter(grants__client=client).select_related("status")[:DOSSIER_ROWS]
    )
    return {
        "client": client,
        "accounts": accounts,
        "dossiers": dossiers,
        "account_form": extra.get("account_form") or AccountForm(initial={"language": "nl"}),
    }


@staff_view
@require_GET
def client(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(Client, pk=pk)
    return render(request, "workspace/client.html", _client_context(client))


def _account(client_pk: int, user_pk: int) -> User:
    return get_object_or_404(User.objects.select_related("client"), pk=user_pk, client_id=client_pk)


@staff_view
@require_POST
def invite(request: AuthenticatedRequest, pk: int, user_id: int) -> HttpResponse:
    """Send (or send again) the invitation; earlier links stop working."""
    account = _account(pk, user_id)
    if not account.is_active:
        raise Http404
    account_services.invite_user(user=account, by=request.user)
    flash.success(request, _("The invitation was sent to %(email)s.") % {"email": account.email})
    return redirect("workspace:client", pk=pk)


@staff_view
@require_POST
def account_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-ME-4 from the office: an extra account of a company, invited at once."""
    client = get_object_or_404(Client, pk=pk, kind=Client.Kind.COMPANY)
    form = AccountForm(request.POST)
    if not form.is_valid():
        response = render(
            request, "workspace/client.html", _client_context(client, account_form=form)
        )
        response.status_code = 400
        return response
    data = form.cleaned_data
    account_services.add_account(
        client=client,
        email=data["email"],
        full_name=data["full_name"],
        language=data["language"],
        by=request.user,
    )
    flash.success(request, _("Account %(email)s added and invited.") % {"email": data["email"]})
    return redirect("workspace:client", pk=pk)


@staff_view
@require_POST
def account_remove(request: AuthenticatedRequest, pk: int, user_id: int) -> HttpResponse:
    account = _account(pk, user_id)
    if account.is_main_account or account.client is None or not account.client.is_company:
        raise Http404
    account_services.remove_account(account=account, by=request.user)
    flash.success(request, _("Account %(email)s removed.") % {"email": account.email})
    return redirect("workspace:client", pk=pk)


@staff_view
@require_POST
def account_block(request: AuthenticatedRequest, pk: int, user_id: int) -> HttpResponse:
    """Block (its sessions end at once) or unblock an account."""
    account = _account(pk, user_id)
    blocked = request.POST.get("blocked") == "1"
    if account_services.set_blocked(account=account, blocked=blocked, by=request.user):
        if blocked:
            flash.success(request, _("%(email)s is blocked.") % {"email": account.email})
        else:
            flash.success(request, _("%(email)s is unblocked.") % {"email": account.email})
    return redirect("workspace:client", pk=pk)
