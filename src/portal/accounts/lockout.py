from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """The address django-axes counts failures for: as typed in the login form's "username"
    field, case-insensitive (log-in is case-insensitive too)."""
    source = credentials if credentials else request.POST
    return (source.get("username") or "").strip().lower()
