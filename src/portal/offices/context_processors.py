from django.http import HttpRequest

from portal.core import tenancy


def office(request: HttpRequest) -> dict:
    """Every page carries the office's branding (R-ACC-5): the request's office, which the
    middleware read by host name (from the cache). None on a page served with no office (a
    refusal on /health/): the page then names the portal only."""
    return {"office": getattr(request, "office", None) or tenancy.current_office()}
