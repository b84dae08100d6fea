"""The client's pages: Home (R-HOME-1/2), the dossier list (R-DOS-1..3) and a dossier with its
progress and tabs (R-DOS-4..6; the Berichten tab lists the messages of R-MSG-1). Every dossier
comes from ``Dossier.objects.visible_to``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from portal.accounts.roles import is_staff_member
from portal.documents import services as document_services
from portal.documents.models import Document
from portal.dossiers import queries
from portal.dossiers.models import Dossier
from portal.messaging import services as message_services
from portal.offices.models import DossierStatus
from portal.request_types import AuthenticatedRequest

from .forms import IN_PROGRESS, DossierFilterForm

TABS = {
    "correspondentie": _("Correspondence"),
    "documenten": _("Documents"),
    "aangeleverd": _("Supplied by me"),
    "berichten": _("Messages"),
}
DEFAULT_TAB = "correspondentie"
TAB_KINDS = {
    "correspondentie": Document.Kind.CORRESPONDENCE,
    "documenten": Document.Kind.DOCUMENT,
    "aangeleverd": Document.Kind.SUPPLIED,
}
EMPTY_TEXTS = {
    "correspondentie": _("There is no correspondence in this dossier yet."),
    "documenten": _("There are no documents in this dossier yet."),
    "aangeleverd": _("You have not supplied anything in this dossier yet."),
}
# The columns the rows show (the Jinja2 row templates, e.g. documents/_document_rows.html): a
# page of 50 documents or 25 messages does not load and build the rest (a message's text, the
# file's storage name).
# "dossier": the related manager sets each row's dossier from its dossier_id.
DOCUMENT_ROW_FIELDS = ("dossier", "title", "original_name", "size", "content_type", "created_at")
MESSAGE_ROW_FIELDS = (
    "dossier",
    "direction",
    "subject",
    "created_at",
    "author__full_name",
    "author__email",
)


def _page(rows: QuerySet[Any], per_page: int, request: HttpRequest, total: int) -> Page[Any]:
    """A page of a tab's rows. The number of rows is the tab's count, already fetched for the
    tab bar: no second COUNT query for the paginator."""
    paginator = Paginator(rows, per_page)
    paginator.count = total  # a cached_property: set, it is not computed
    return paginator.get_page(request.GET.get("page"))


@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    if is_staff_member(request.user):
        # Office staff work in the staff workspace (R-OFF-1..5).
        return redirect("workspace:inbox")
    return render(
        request,
        "dossiers/home.html",
        {"counts": queries.home_counts(request.user), "in_progress_filter": IN_PROGRESS},
    )


@require_GET
def dossier_list(request: AuthenticatedRequest) -> HttpResponse:
    visible = Dossier.objects.visible_to(request.user)
    filtering = bool(request.GET.get("q") or request.GET.getlist("status"))
    # Unfiltered, the number of the user's dossiers is the list's count too: counted once, for
    # R-DOS-1 and for the paginator (one query less than asking for two pks first).
    total = None if filtering else visible.count()
    if total == 1 and "page" not in request.GET:
        # R-DOS-1: exactly one dossier opens directly.
        return redirect("dossiers:detail", pk=visible.values_list("pk", flat=True).get())

    statuses = queries.statuses_in_use(request.user)
    form = DossierFilterForm(request.GET or None, statuses=statuses)
    if form.is_bound and not form.is_valid():
        rows, total = visible.none(), None
    else:
        data = form.cleaned_data if form.is_bound else {}
        rows = visible.search(data.get("q") or "", few=True)
        if data.get("status"):
            in_progress, status_ids = form.status_filter()
            chosen = Q(status_id__in=status_ids)
            if in_progress:
                chosen |= Q(status__in_progress=True)
            rows = rows.filter(chosen)
    rows = rows.select_related("status").order_by("-created_at", "-pk")
    paginator = Paginator(rows, settings.DOSSIERS_PER_PAGE)
    if total is not None:
        paginator.count = total  # a cached_property: set, it is not computed
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dossiers/dossier_list.html",
        {
            "form": form,
            "page": page,
            "show_status_filter": len(statuses) > 1,
            "status_groups": _status_groups(form, statuses),
            "filtering": filtering,
            "query_string": query.urlencode(),
        },
    )


def _status_groups(form: DossierFilterForm, statuses: list[DossierStatus]) -> dict[str, Any]:
    """The status filter's checkboxes arranged for the page: "all ongoing dossiers" with the
    statuses it covers under it, then the other statuses (R-DOS-3, R-HOME-2)."""
    boxes = {str(box.data["value"]): box for box in form["status"]}
    return {
        "in_progress": boxes[IN_PROGRESS],
        "in_progress_statuses": [boxes[str(s.pk)] for s in statuses if s.in_progress],
        "other_statuses": [boxes[str(s.pk)] for s in statuses if not s.in_progress],
    }


@require_GET
def dossier_detail(request: AuthenticatedRequest, pk: int, tab: str = DEFAULT_TAB) -> HttpResponse:
    if tab not in TABS:
        raise Http404
    dossier = get_object_or_404(
        Dossier.objects.visible_to(request.user).select_related("status", "handler"), pk=pk
    )
    steps = list(dossier.steps.all())
    document_counts = document_services.tab_counts(dossier=dossier, user=request.user)
    counts = {slug: document_counts[kind] for slug, kind in TAB_KINDS.items()}
    counts["berichten"] = message_services.tab_counts(dossier=dossier, user=request.user)
    tabs = [{"slug": slug, "label": label, **counts[slug]} for slug, label in TABS.items()]
    context = {
        "dossier": dossier,
        "steps": steps,
        "steps_done": sum(step.done for step in steps),
        "tabs": tabs,
        "active_tab": tab,
        "active_label": TABS[tab],
    }
    if tab in TAB_KINDS:
        documents = (
            document_services.with_read_state(
                dossier.documents.filter(kind=TAB_KINDS[tab]), request.user
            )
            .only(*DOCUMENT_ROW_FIELDS)
            .order_by("-created_at", "-pk")
        )
        context["page"] = _page(
            documents, settings.DOCUMENTS_PER_PAGE, request, counts[tab]["total"]
        )
        context["empty_text"] = EMPTY_TEXTS[tab]
    else:
        context["page"] = _page(
            message_services.for_list(dossier, request.user).only(*MESSAGE_ROW_FIELDS),
            settings.MESSAGES_PER_PAGE,
            request,
            counts["berichten"]["total"],
        )
    return render(request, "dossiers/dossier_detail.html", context)
