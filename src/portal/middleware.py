"""Response headers the whole portal shares (ASVS V3, V14).

``BrowserPolicyMiddleware`` sits right after Django's ``SecurityMiddleware``, before WhiteNoise,
so static files, error pages and redirects carry its headers too:

- ``Permissions-Policy`` (``settings.PERMISSIONS_POLICY``): browser features no page uses
  (camera, microphone, geolocation, payment, USB, …) are switched off for this origin and any
  frame. WebAuthn (``publickey-credentials-get``/``-create``) is deliberately not listed:
  passkeys must keep working.
- ``Cross-Origin-Resource-Policy`` (``settings.CROSS_ORIGIN_RESOURCE_POLICY``): other sites
  cannot embed our responses (images, scripts, files) in their pages. A view that must be
  embeddable elsewhere sets its own value, which is kept.

``Cross-Origin-Opener-Policy`` comes from Django (``SECURE_CROSS_ORIGIN_OPENER_POLICY``).

``NoStoreForUsersMiddleware``: every answer to a signed-in user (a browser with a session
cookie, or an API token) is ``Cache-Control: no-store``, so that after the logout the
browser's back button, or a shared proxy, shows nothing of a client's dossier. A response that
declared itself ``public`` (the office logo on the login page) keeps its own caching; static
files never reach this middleware (it comes after WhiteNoise). It decides without a database
query, so a database outage's 503 passes through it unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import add_never_cache_headers
from django.utils.functional import LazyObject, empty


class BrowserPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=()" for feature in settings.PERMISSIONS_POLICY
        )
        self.resource_policy = settings.CROSS_ORIGIN_RESOURCE_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if self.resource_policy:
            response.headers.setdefault("Cross-Origin-Resource-Policy", self.resource_policy)
        return response


def _signed_in(request) -> bool:
    """Whether the answer may carry a signed-in user's data, decided without a query: this
    runs after every response, including the 503 of a database outage."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        # A browser with a session: signed in, or just signed out (the logout's own answer).
        return True
    user = getattr(request, "user", None)
    if user is None or (isinstance(user, LazyObject) and getattr(user, "_wrapped", None) is empty):
        return False  # before the session was read (static files), or never looked up
    return user.is_authenticated  # the login's own answer, or an API token's user


class NoStoreForUsersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _signed_in(request) and "public" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response
