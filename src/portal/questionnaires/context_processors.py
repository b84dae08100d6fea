from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .services import open_actions as fetch


def open_actions(request: HttpRequest) -> dict:
    """R-HOME-3: the count and the first open actions on every page, fetched lazily in ONE
    query, only when a page shows them (never in the admin, never for staff or visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.client_id is None:
        return {}
    # On a questionnaire's or upload request's own pages the bar leaves that action out: the
    # client is doing it already.
    match = getattr(request, "resolver_match", None)
    current = None
    if match is not None and match.namespace == "questionnaires" and "pk" in match.kwargs:
        current = match.kwargs["pk"]
    return {"open_actions": SimpleLazyObject(lambda: fetch(user, current=current))}
