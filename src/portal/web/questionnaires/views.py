"""The client's "Acties" pages (R-HOME-3, R-Q-1..4): the list, the questionnaire wizard page by
page, the overview and submit, the result with "Printen", and upload requests. Every action
comes from ``Action.objects.visible_to`` (through ``Dossier.objects.visible_to``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.files.upload_handlers import limit_upload_size, upload_refusals
from portal.files.uploads import UploadRejected
from portal.questionnaires import services
from portal.questionnaires.forms import PageForm, UploadForm
from portal.questionnaires.models import Action, pick
from portal.questionnaires.presentation import answer_rows, display_answer
from portal.request_types import AuthenticatedRequest


def _action(request: HttpRequest, pk: int, kind: str | None = None) -> Action:
    actions = Action.objects.visible_to(request.user).select_related("dossier")
    if kind is not None:
        actions = actions.filter(kind=kind)
    return get_object_or_404(actions, pk=pk)


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def fill_url(action: Action) -> str:
    if action.kind == Action.Kind.UPLOAD:
        return reverse("questionnaires:upload", args=[action.pk])
    if not action.is_open:
        return reverse("questionnaires:result", args=[action.pk])
    return reverse("questionnaires:resume", args=[action.pk])


@require_GET
def action_list(request: AuthenticatedRequest) -> HttpResponse:
    actions = list(
        Action.objects.visible_to(request.user)
        .select_related("dossier", "approval")
        .order_by("status", "-created_at", "-pk")[:100]
    )
    return render(
        request,
        "questionnaires/action_list.html",
        {
            "open": [a for a in actions if a.is_open],
            "done": [a for a in actions if not a.is_open],
        },
    )


@require_GET
def resume(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-Q-2: continue on the first unfinished page (all pages done: the overview)."""
    action = _action(request, pk, Action.Kind.QUESTIONNAIRE)
    if not action.is_open:
        return redirect("questionnaires:result", pk=action.pk)
    index = action.first_unfinished_page()
    if index is None:
        return redirect("questionnaires:overview", pk=action.pk)
    return redirect("questionnaires:page", pk=action.pk, page=index + 1)


def _page_context(action: Action, index: int, form: PageForm, **extra: Any) -> dict[str, Any]:
    page = action.pages[index]
    return {
        "action": action,
        "dossier": action.dossier,
        "form": form.describe(),
        "page_title": pick(page.get("title")),
        "number": index + 1,
        "total": len(action.pages),
        "is_first": index == 0,
        "is_last": index == len(action.pages) - 1,
        "done_pages": set(action.pages_done),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def fill_page(request: AuthenticatedRequest, pk: int, page: int) -> HttpResponse:
    """One page (R-Q-2): "Volgende" validates and saves; "Vorige" and "Opslaan en stoppen"
    save what was typed without losing anything; a stale version (another tab saved in
    between) saves nothing and shows both."""
    action = _action(request, pk, Action.Kind.QUESTIONNAIRE)
    if not action.is_open:
        return redirect("questionnaires:result", pk=action.pk)
    index = page - 1
    if not 0 <= index < len(action.pages):
        raise Http404
    page_data = action.pages[index]
    language = get_language()
    if request.method == "GET":
        keys = [q["key"] for q in page_data["questions"]]
        initial = {k: action.answers[k] for k in keys if k in action.answers}
        form = PageForm(page_data, initial=initial, language=language)
        return render(request, "questionnaires/page.html", _page_context(action, index, form))

    form = PageForm(page_data, data=request.POST, language=language)
    valid = form.is_valid()
    answers = form.stored_answers() if valid else form.raw_answers()
    nav = request.POST.get("nav", "next")
    try:
        action = services.save_page(
            action=action,
            index=index,
            answers=answers,
            valid=valid,
            version=_version(request),
            by=request.user,
        )
    except services.NotOpen:
        return redirect("questionnaires:result", pk=action.pk)
    except services.StaleVersion as stale:
        current = stale.current
        current.dossier = action.dossier
        theirs = []
        for question in page_data["questions"]:
            key = question["key"]
            saved = current.answers.get(key, "")
            if saved != answers.get(key, ""):
                theirs.append(
                    {
                        "question": form.fields[key].label,
                        "answer": display_answer(question, saved) or "—",
                    }
                )
        context = _page_context(current, index, form, conflict=theirs)
        return render(request, "questionnaires/page.html", context, status=409)

    if form.over_long():
        # An answer longer than allowed was not saved (nor cut): whichever button was pressed,
        # the page comes back with it as typed and its error, to shorten.
        return render(
            request,
            "questionnaires/page.html",
            _page_context(action, index, form, over_long=True),
        )
    if nav == "back":
        return redirect("questionnaires:page", pk=action.pk, page=max(1, page - 1))
    if nav == "stop":
        messages.success(request, _("Your answers have been saved. You can continue later."))
        return redirect("home")
    if not valid:
        return render(request, "questionnaires/page.html", _page_context(action, index, form))
    if index + 1 < len(action.pages):
        return redirect("questionnaires:page", pk=action.pk, page=page + 1)
    return redirect("questionnaires:overview", pk=action.pk)


@require_http_methods(["GET", "POST"])
def overview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-Q-3: check every answer, then submit ("Versturen"). A second submit changes nothing."""
    action = _action(request, pk, Action.Kind.QUESTIONNAIRE)
    if not action.is_open:
        return redirect("questionnaires:result", pk=action.pk)
    if request.method == "POST":
        try:
            services.complete_questionnaire(
                action=action, version=_version(request), by=request.user
            )
        except services.StaleVersion:
            messages.warning(
                request,
                _(
                    "The answers were changed in another window in the meantime. Check them "
                    "again below, then send."
                ),
            )
            return redirect("questionnaires:overview", pk=action.pk)
        except ValidationError:
            messages.error(request, _("Not every page has been filled in yet."))
            return redirect("questionnaires:resume", pk=action.pk)
        return redirect("questionnaires:result", pk=action.pk)
    missing = services.invalid_pages(action)
    return render(
        request,
        "questionnaires/overview.html",
        {
            "action": action,
            "dossier": action.dossier,
            "pages": answer_rows(action),
            "missing": {i + 1 for i in missing},
        },
    )


@require_GET
def result(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """R-Q-3/R-Q-4: the completed questionnaire with "Printen", and its PDF."""
    action = _action(request, pk, Action.Kind.QUESTIONNAIRE)
    if action.is_open:
        return redirect("questionnaires:resume", pk=action.pk)
    return render(
        request,
        "questionnaires/result.html",
        {"action": action, "dossier": action.dossier, "pages": answer_rows(action)},
    )


def _may_upload(request: HttpRequest, pk: int) -> bool:
    """Decided before a posted body is read (``limit_upload_size``)."""
    return Action.objects.visible_to(request.user).filter(pk=pk, kind=Action.Kind.UPLOAD).exists()


@limit_upload_size(reach=_may_upload)
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An upload request: one or more files through ``supply_document``; refused files say
    why, accepted ones are kept; "Klaar" (or an upload without refusals) completes it."""
    action = _action(request, pk, Action.Kind.UPLOAD)
    refused: list[str] = []
    form = UploadForm()
    if request.method == "POST" and action.is_open:
        for refusal in upload_refusals(request):
            refused.append(f"{refusal.file_name}: {refusal.message}")
        form = UploadForm(request.POST, request.FILES)
        stored = 0
        if form.is_valid():
            for file in form.cleaned_data["files"]:
                try:
                    services.supply_for_request(
                        action=action, file=file, name=file.name, by=request.user
                    )
                    stored += 1
                except UploadRejected as exc:
                    refused.append(f"{file.name}: {exc}")
                except services.NotOpen:
                    break
        finish = request.POST.get("done") == "1"
        if stored and not refused and not finish:
            finish = True
        if finish and not refused:
            try:
                services.complete_upload_request(action=action, by=request.user)
            except ValidationError as exc:
                form.add_error("files", exc.messages[0])
            else:
                messages.success(request, _("Thank you. The office has received your files."))
                return redirect("dossiers:tab", pk=action.dossier_id, tab="aangeleverd")
        if not stored and not refused and not finish:
            form.add_error("files", _("Choose at least one file."))
        action.refresh_from_db()
    files = list(action.supplied_documents.order_by("pk"))
    return render(
        request,
        "questionnaires/upload.html",
        {
            "action": action,
            "dossier": action.dossier,
            "form": form,
            "refused": refused,
            "files": files,
            "upload_limit": settings.UPLOAD_MAX_BYTES,
        },
    )
