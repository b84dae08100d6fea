"""The audit context (R-X-1, issue 16 item 3): who acts and from where comes from the request,
the API token or ``audit_context`` in a task or command, not from a ``request`` argument that
every service passes on."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import path

import portal
from portal.audit import context
from portal.audit.context import AuditContextMiddleware, audit_context
from portal.audit.models import AuditEntry
from portal.audit.services import record
from portal.dossiers import services as dossier_services

from .api_helpers import Api, make_token
from .factories import StaffFactory, StatusFactory, UserFactory

seen: list[context.AuditContext] = []


@login_not_required
def peek(request):
    """Records an entry with no actor or address given, and shows the context it ran in."""
    seen.append(context.current())
    entry = record("test.peeked")
    return JsonResponse({"actor": entry.actor_id, "address": entry.ip_address})


@login_not_required
def explode(request):
    seen.append(context.current())
    raise RuntimeError("the view failed")


urlpatterns = [path("peek/", peek), path("explode/", explode)]


@pytest.fixture
def fresh():
    seen.clear()
    assert context.current() == context.EMPTY
    yield
    seen.clear()


@pytest.mark.urls(__name__)
def test_the_context_is_set_per_request_and_cleared_after_R_X_1(db, fresh):
    """Issue 16 item 3: the middleware gives each request its user and address, and nothing is
    left on the thread afterwards: a second request from elsewhere, anonymous, records neither
    the first one's actor nor its address."""
    user = UserFactory()
    signed_in = HttpClient(REMOTE_ADDR="203.0.113.7")
    signed_in.force_login(user)
    assert signed_in.get("/peek/").json() == {"actor": user.pk, "address": "203.0.113.7"}
    assert context.current() == context.EMPTY

    anonymous = HttpClient(REMOTE_ADDR="198.51.100.4")
    assert anonymous.get("/peek/").json() == {"actor": None, "address": "198.51.100.4"}
    assert context.current() == context.EMPTY
    first, second = AuditEntry.objects.filter(action="test.peeked").order_by("pk")
    assert (first.actor, first.actor_label, first.ip_address) == (user, user.email, "203.0.113.7")
    assert (second.actor, second.actor_label, second.ip_address) == (None, "", "198.51.100.4")


@pytest.mark.urls(__name__)
def test_a_failing_view_leaves_no_context_behind_R_X_1(db, fresh):
    """Issue 16 item 3: an exception in the view still resets the context."""
    user = UserFactory()
    http = HttpClient(REMOTE_ADDR="203.0.113.8", raise_request_exception=False)
    http.force_login(user)
    assert http.get("/explode/").status_code == 500
    assert seen[-1].address == "203.0.113.8" and seen[-1].actor == user
    assert context.current() == context.EMPTY

    # The middleware alone, with the exception passing through it.
    request = RequestFactory(REMOTE_ADDR="203.0.113.9").get("/")
    request.user = user
    with pytest.raises(RuntimeError):
        AuditContextMiddleware(explode)(request)
    assert seen[-1].address == "203.0.113.9"
    assert context.current() == context.EMPTY


def test_a_task_or_command_records_with_the_context_it_sets_R_X_1(db, fresh):
    """Issue 16 item 3: a task or command sets the context with ``audit_context``; a service
    called inside records that actor and address; outside it, the system acted (no actor)."""
    staff = UserFactory(is_staff=True)
    with audit_context(actor=staff, address="192.0.2.10", actor_label="nightly import"):
        dossier_services.create_dossier(number="2026-0001", description="A", status=StatusFactory())
        other = UserFactory()
        explicit = record("test.explicit", actor=other, address="192.0.2.11")
    dossier_services.create_dossier(number="2026-0002", description="B", status=StatusFactory())

    inside, outside = AuditEntry.objects.filter(action="dossier.created").order_by("pk")
    assert (inside.actor, inside.actor_label, inside.ip_address) == (
        staff,
        "nightly import",
        "192.0.2.10",
    )
    assert (outside.actor, outside.actor_label, outside.ip_address) == (None, "", None)
    # Explicit arguments win over the context (the label goes with the context's actor only).
    assert (explicit.actor, explicit.actor_label, explicit.ip_address) == (
        other,
        other.email,
        "192.0.2.11",
    )
    assert context.current() == context.EMPTY


def test_an_api_call_acts_as_the_tokens_staff_member_under_its_name_R_X_1(db, fresh, monkeypatch):
    """Issue 16 item 3: DRF authenticates the token inside the view, after the middleware; the
    context then names the token's staff member with the token's name as label, also when the
    call carries the session cookie of someone else (the API ignores sessions)."""
    from portal.api.views import ApiViewMixin

    scoped = ApiViewMixin.scoped

    def scoped_and_recorded(self, queryset):
        seen.append(context.current())
        record("test.api_implicit")
        return scoped(self, queryset)

    monkeypatch.setattr(ApiViewMixin, "scoped", scoped_and_recorded)
    staff = StaffFactory()
    _token, raw = make_token(staff, name="Dossierbeheer")
    api = Api(raw)
    api.http.force_login(UserFactory())
    assert api.get("/api/v1/clients/").status_code == 200
    entry = AuditEntry.objects.get(action="test.api_implicit")
    assert (entry.actor, entry.actor_label) == (staff, "Dossierbeheer")
    assert entry.ip_address == "127.0.0.1"
    assert context.current() == context.EMPTY


def test_no_service_takes_a_request_R_X_1():
    """Issue 16 item 3: the services get who and from where from the audit context; none takes a
    ``request`` argument to pass on to the audit trail."""
    root = Path(portal.__file__).parent
    offenders = []
    for file in sorted(root.glob("*/services.py")):
        module = importlib.import_module(f"portal.{file.parent.name}.services")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__:
                continue
            if "request" in inspect.signature(function).parameters:
                offenders.append(f"{module.__name__}.{name}")
    assert offenders == []
