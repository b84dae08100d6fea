"""The office a piece of work runs for (R-TEN-2): one context, set by the host-name middleware
for a request, by the task signals for a Celery task, and by ``office_scope`` in commands and
sweeps. Managers of office data (``scoping``) read it and refuse to run without it, except in
code marked ``cross_office()`` (hosting commands, migrations, the hosting admin site).

On PostgreSQL the same office is handed to the database (``rls``), whose row-level security
policies are the second wall: a query that forgot the application's scope still sees only the
office's rows, and a connection that set no office sees none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol


class OfficeLike(Protocol):
    pk: Any


class OfficeRequired(RuntimeError):
    """Office data was read or written with no office in the context."""


_office: ContextVar[OfficeLike | None] = ContextVar("portal_office", default=None)
_cross: ContextVar[bool] = ContextVar("portal_cross_office", default=False)
# Tests and the single-office shell: an office found when first needed (see ``default_office``).
_fallback: ContextVar[Callable[[], OfficeLike] | None] = ContextVar(
    "portal_office_fallback", default=None
)

# Called with (office id or None, cross-office flag) whenever the context changes, so the
# database connection follows (``rls``). A list, not an import: core imports nothing above it.
_listeners: list[Callable[[int | None, bool], None]] = []


def add_listener(listener: Callable[[int | None, bool], None]) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def _notify() -> None:
    office = _office.get()
    for listener in _listeners:
        listener(office.pk if office is not None else None, _cross.get())


def current_office() -> OfficeLike | None:
    """The context's office, or None."""
    office = _office.get()
    if office is None and not _cross.get():
        fallback = _fallback.get()
        if fallback is not None:
            office = fallback()
            _office.set(office)
            _notify()
    return office


def current_office_id() -> int | None:
    office = current_office()
    return office.pk if office is not None else None


def require_office_id() -> int:
    """The context's office id; ``OfficeRequired`` without one."""
    office_id = current_office_id()
    if office_id is None:
        raise OfficeRequired(
            "Office data used without an office: run it in office_scope(office), "
            "or mark a hosting path cross_office()."
        )
    return int(office_id)


def is_cross_office() -> bool:
    return _cross.get()


@contextmanager
def office_scope(office: OfficeLike) -> Iterator[OfficeLike]:
    """Run the block for ``office`` (a saved Office): office data means this office's rows."""
    if office is None or office.pk is None:
        raise OfficeRequired("office_scope needs a saved office.")
    token, cross = _office.set(office), _cross.set(False)
    _notify()
    try:
        yield office
    finally:
        _office.reset(token)
        _cross.reset(cross)
        _notify()


@contextmanager
def cross_office() -> Iterator[None]:
    """Mark a hosting path (commands, migrations, the hosting admin site) that works across
    offices on purpose: office managers return every office's rows here."""
    token, cross = _office.set(None), _cross.set(True)
    _notify()
    try:
        yield
    finally:
        _office.reset(token)
        _cross.reset(cross)
        _notify()


@contextmanager
def no_office() -> Iterator[None]:
    """A block with no office at all (e.g. a request on an unknown host): office data refuses."""
    token, cross, fallback = _office.set(None), _cross.set(False), _fallback.set(None)
    _notify()
    try:
        yield
    finally:
        _office.reset(token)
        _cross.reset(cross)
        _fallback.reset(fallback)
        _notify()


@contextmanager
def default_office(find: Callable[[], OfficeLike]) -> Iterator[None]:
    """Where no office was chosen, ``find()`` one when first needed. For the test suite and
    the single-office shell only; a request, a task and a command choose their office."""
    token, office = _fallback.set(find), _office.set(None)
    try:
        yield
    finally:
        _fallback.reset(token)
        _office.reset(office)  # the office found inside stays inside


def chosen_office() -> OfficeLike | None:
    """The context's office if one is chosen already (no fallback is consulted)."""
    return _office.get()


def is_office_chosen() -> bool:
    return _office.get() is not None
