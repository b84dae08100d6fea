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

``ContentSecurityPolicyMiddleware``: django-csp's, with the header built once per process.

``Cross-Origin-Opener-Policy`` comes from Django (``SECURE_CROSS_ORIGIN_OPENER_POLICY``).

``NoStoreForUsersMiddleware``: every answer to a signed-in user (a browser with a session
cookie, or an API token) is ``Cache-Control: no-store``, so that after the logout the
browser's back button, or a shared proxy, shows nothing of a client's dossier. A response that
declared itself ``public`` (the office logo on the login page) keeps its own caching; static
files never reach this middleware (it comes after WhiteNoise). It decides without a database
query, so a database outage's 503 passes through it unchanged.
"""

from __future__ import annotations

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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


# A response carrying any of these has a policy of its own (django-csp's decorators).
_OWN_POLICY = tuple(
    f"_csp_{part}{suffix}"
    for part in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
)
_NONCE_PLACEHOLDER = "portal-csp-nonce"
_policies: dict[bool, str] = {}


@receiver(setting_changed)
def _forget_policies(*, setting, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.clear()


def _policy(nonce: str | None) -> str:
    """The settings' policy, built once per process: it differs between responses only in
    the nonce."""
    with_nonce = nonce is not None
    policy = _policies.get(with_nonce)
    if policy is None:
        policy = _policies[with_nonce] = build_policy(
            nonce=_NONCE_PLACEHOLDER if with_nonce else None
        )
    return policy.replace(_NONCE_PLACEHOLDER, nonce) if nonce is not None else policy


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the ``Content-Security-Policy`` header built once per
    process instead of on every response (django-csp parses the settings' directives again
    each time). A response with a policy of its own (django-csp's decorators), a report-only
    policy or excluded URL prefixes take django-csp's own path."""

    def process_response(self, request, response):
        if (
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get(
                "EXCLUDE_URL_PREFIXES"
            )
            or any(hasattr(response, name) for name in _OWN_POLICY)
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        if HEADER not in response:
            policy = _policy(nonce)
            if policy:
                response[HEADER] = policy
        if nonce is None:
            # As django-csp: asking for a nonce after the header was written is an error.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
