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

``NoStoreForUsersMiddleware``: every answer to a signed-in user (a session or an API token) is
``Cache-Control: no-store``, so that after the logout the browser's back button, or a shared
proxy, shows nothing of a client's dossier. A response that declared itself ``public`` (the
office logo on the login page) keeps its own caching; static files never reach this middleware
(WhiteNoise answers them before the session is read).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.cache import add_never_cache_headers


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
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    # A session user whom the view did not take as its user (the API authenticates by token
    # only, and answers a browser's session with 401) is still signed in on this browser.
    session = getattr(request, "session", None)
    return session is not None and SESSION_KEY in session


class NoStoreForUsersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _signed_in(request) and "public" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response
