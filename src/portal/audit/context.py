"""Who acts and from where, for the audit trail: one context per request, task or command.

``record()`` takes the actor, the address and the actor's label from here unless they are given
explicitly, so the services need no ``request`` argument just to get an address into the trail.

- A web request: ``AuditContextMiddleware`` sets it from the signed-in user and the client's
  address and resets it when the answer leaves, exception or not (nothing carries over to the next
  request on the same thread). A login or logout within the request updates the actor.
- An API call: the token authentication sets the token's staff member and the token's name
  (DRF authenticates in the view, after the middleware ran).
- A task, a management command or a test: ``with audit_context(actor=..., address=...):``.
  Outside any context the actor and address are empty (the system acted).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class AuditContext:
    # A user, a lazy ``request.user`` (read only when an entry is recorded, so a page that records
    # nothing pays no query for it) or None. An anonymous user counts as no actor.
    actor: object | None = None
    address: str | None = None
    # Recorded as "who" instead of the actor's e-mail address (e.g. an API token's name).
    actor_label: str | None = None


EMPTY = AuditContext()
_current: ContextVar[AuditContext] = ContextVar("audit_context", default=EMPTY)


def current() -> AuditContext:
    return _current.get()


def actor() -> object | None:
    """The context's actor if signed in, else None."""
    user = _current.get().actor
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def set_context(context: AuditContext) -> Token[AuditContext]:
    return _current.set(context)


def reset(token: Token[AuditContext]) -> None:
    _current.reset(token)


def set_actor(user: object | None, *, actor_label: str | None = None) -> None:
    """Change the actor of the running context (a login, a logout, an API token), keeping its
    address; undone with the context when the request ends. Outside any context (a login by the
    test client, a shell) it does nothing: that actor would stay with the thread."""
    running = _current.get()
    if running is not EMPTY:
        _current.set(replace(running, actor=user, actor_label=actor_label))


@contextmanager
def audit_context(
    *,
    actor: object | None = None,
    address: str | None = None,
    actor_label: str | None = None,
) -> Iterator[AuditContext]:
    """Record everything inside as done by ``actor`` from ``address`` (tasks, commands, tests)."""
    context = AuditContext(actor=actor, address=address, actor_label=actor_label)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the client, for the audit trail and the login lockout (one definition).

    Without trusted proxies (``TRUSTED_PROXY_COUNT=0``) it is ``REMOTE_ADDR`` and any
    ``X-Forwarded-For`` is ignored. Behind ``n`` trusted proxies, each of which appends the
    address it saw, the client is the ``n``-th entry from the right of ``X-Forwarded-For``:
    entries further left were written by the client itself and can be forged, so they neither
    hide an attacker nor blame someone else."""
    if request is None:
        return None
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    chain = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
    if len(chain) < hops:
        return remote
    return _valid(chain[-hops]) or remote


class AuditContextMiddleware:
    """Sets the audit context for each request (after the authentication middleware, so that
    ``request.user`` exists) and resets it afterwards, also when the view raises."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(
            AuditContext(
                actor=getattr(request, "user", None),
                address=client_ip(request),
            )
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
