from django.http import HttpRequest

from .models import Office


def office(request: HttpRequest) -> dict:
    """Every page carries the office's branding (R-ACC-5). One query per request."""
    current = getattr(request, "_office", None)
    if current is None:
        current = Office.current()
        request._office = current
    return {"office": current}
