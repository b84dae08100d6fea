from django.http import HttpRequest

from .models import Office


def office(request: HttpRequest) -> dict:
    """Every page carries the office's branding (R-ACC-5); from the cache (``Office.cached``),
    so no query on most requests."""
    current = getattr(request, "_office", None)
    if current is None:
        current = Office.cached()
        request._office = current  # type: ignore[attr-defined]  # a per-request memo
    return {"office": current}
