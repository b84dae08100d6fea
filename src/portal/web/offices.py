from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from portal.offices.models import Office
from portal.request_types import AuthenticatedRequest

LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}
#: An SVG can carry script and load other files: opened on its own in a browser it may do
#: neither (a raster image ignores this).
LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@require_safe
@cache_control(public=True, max_age=3600)
def logo(request: AuthenticatedRequest) -> FileResponse:
    """The office logo: public (it is on the login page), served from private storage. Its
    type is the one ``offices.logos.clean_logo`` found in the content (the stored extension)."""
    office = Office.cached()
    if not office.logo:
        raise Http404
    suffix = "." + office.logo.name.rsplit(".", 1)[-1].lower()
    if suffix not in LOGO_TYPES:
        raise Http404
    try:
        handle = office.logo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=LOGO_TYPES[suffix])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = LOGO_CSP
    # The e-mails show the logo from this URL: a webmail page on another origin must load it.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@require_safe
def accessibility_statement(request: AuthenticatedRequest) -> HttpResponse:
    """The office's accessibility statement (R-X-6), public: a visitor who cannot log in
    must be able to read it and find the contact for feedback."""
    return render(request, "offices/accessibility_statement.html")
