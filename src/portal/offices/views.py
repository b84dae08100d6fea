from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .models import Office

LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


@require_GET
@cache_control(public=True, max_age=3600)
def logo(request: HttpRequest) -> FileResponse:
    """The office logo: public (it is on the login page), served from private storage."""
    office = Office.current()
    if not office.logo:
        raise Http404
    suffix = "." + office.logo.name.rsplit(".", 1)[-1].lower()
    try:
        handle = office.logo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=LOGO_TYPES.get(suffix, "application/octet-stream"))
    if suffix == ".svg":
        # An SVG can carry script: never let it run in our origin.
        response["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        )
    return response
