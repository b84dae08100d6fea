"""Rate limits of the pages that can be hammered without a password, or with a stolen one
(ASVS V6): the forgotten-password form, the invitation and set-password links, the
second-factor codes and the requests that send an SMS. The login itself is django-axes' work
(``lockout.py``); the API has DRF throttles (``portal.api.throttling``).

django-ratelimit does the counting, in the default cache, in fixed windows. A key is the client
address (``audit.context.client_ip``: behind TRUSTED_PROXY_COUNT proxies the entry they wrote,
so a forged X-Forwarded-For neither hides nor blames; an IPv6 client counts per /64, the block
one subscriber usually gets), the e-mail address typed in, or the user. A request over any of
its limits gets the branded 429 page, which is the same whatever account exists; it does
nothing else. The first refusal of a key in its window goes into the audit trail, every refusal
into the log.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from functools import wraps
from typing import TypeVar, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from portal.audit.context import client_ip
from portal.audit.services import record
from portal.core import tenancy

log = logging.getLogger("portal.ratelimit")

ADDRESS, EMAIL, USER = "address", "email", "user"
ANY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

#: What each kind of request is counted by, and the setting that holds each rate.
RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "password_reset": (
        (ADDRESS, "RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS"),
        (EMAIL, "RATE_LIMIT_PASSWORD_RESET_PER_EMAIL"),
    ),
    "account_link": ((ADDRESS, "RATE_LIMIT_ACCOUNT_LINKS_PER_ADDRESS"),),
    "code": (
        (ADDRESS, "RATE_LIMIT_CODES_PER_ADDRESS"),
        (USER, "RATE_LIMIT_CODES_PER_USER"),
    ),
    "sms": (
        (ADDRESS, "RATE_LIMIT_SMS_PER_ADDRESS"),
        (USER, "RATE_LIMIT_SMS_PER_USER"),
    ),
    "password_check": ((USER, "RATE_LIMIT_PASSWORD_CHECKS_PER_USER"),),
    "verify": ((ADDRESS, "RATE_LIMIT_VERIFY_PER_ADDRESS"),),
}


def address_key(request: HttpRequest) -> str:
    """The client address as counted: IPv4 as is, IPv6 by its /64 network."""
    address = client_ip(request)
    if address is None:
        return "unknown"
    if ipaddress.ip_address(address).version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address


def _authenticated_user(request: HttpRequest):
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _key(request: HttpRequest, kind: str, user_of: Callable) -> str | None:
    if kind == ADDRESS:
        return address_key(request)
    if kind == EMAIL:
        # Per office: the same address at another office is another account (R-TEN-3).
        email = request.POST.get("email", "").strip().lower()
        return f"office-{tenancy.current_office_id()}:{email}" if email else None
    user = user_of(request)
    return None if user is None else str(user)


def check(
    request: HttpRequest, scope: str, *, user_of: Callable = _authenticated_user
) -> HttpResponse | None:
    """Count this request against the limits of ``scope``; the 429 answer if it is over one of
    them, else None."""
    over = []
    for kind, setting in RULES[scope]:
        value = _key(request, kind, user_of)
        if value is None:
            continue
        try:
            usage = get_usage(
                request,
                group=f"portal.{scope}.{kind}",
                key=lambda _group, _request, value=value: value,
                rate=getattr(settings, setting),
                increment=True,
            )
        except Exception:
            # The cache is down: let the request through (see RATELIMIT_FAIL_OPEN).
            log.exception("rate limit %s.%s not counted: the cache failed", scope, kind)
            continue
        if usage is not None and usage["should_limit"]:
            over.append((kind, usage))
    if not over:
        return None
    return _refuse(request, scope, over, user_of)


def _refuse(request: HttpRequest, scope: str, over: list, user_of: Callable) -> HttpResponse:
    kinds = [kind for kind, _usage in over]
    # Recorded below once per key and window, not per refused request (the denial middleware
    # would record each one).
    request.audit_denial_recorded = True  # type: ignore[attr-defined]  # read by the denial middleware
    log.warning(
        "rate limited: %s by %s (%s requests in this window)",
        scope,
        ",".join(kinds),
        max(usage["count"] for _kind, usage in over),
    )
    if any(usage["count"] == usage["limit"] + 1 for _kind, usage in over):
        # The first refusal of this key in its window; never the e-mail address, code or token.
        user_pk = user_of(request) if USER in kinds else None
        user = get_user_model().objects.filter(pk=user_pk).first() if user_pk else None
        # The route's name, never the path: a link's path carries its token.
        match = request.resolver_match
        route = match.view_name if match is not None else ""
        record(
            "rate_limited",
            target=user if user is not None else route,
            scope=scope,
            limit=kinds,
            route=route,
        )
    response = render(request, "429.html", status=429)
    wait = max((usage["time_left"] for _kind, usage in over), default=0)
    response["Retry-After"] = str(max(wait, 1))
    return response


_View = TypeVar("_View", bound=Callable[..., HttpResponse])


def limited(
    scope: str, *, methods: tuple[str, ...] = ("POST",), user_of: Callable = _authenticated_user
) -> Callable[[_View], _View]:
    """Decorate a view: its ``methods`` requests count against the limits of ``scope``; one
    over a limit gets the 429 page instead of the view."""

    def decorator(view: _View) -> _View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                refusal = check(request, scope, user_of=user_of)
                if refusal is not None:
                    return refusal
            return view(request, *args, **kwargs)

        return cast(_View, wrapped)

    return decorator
