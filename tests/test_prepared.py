"""Queries made on every request with their SQL built once per process (portal.prepared): the
signed-in user's row (``User.objects.get(pk=…)``, made by the authentication on every request)
and the session read. Same rows as the ORM gives, the same one query each."""

from __future__ import annotations

import pytest
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import path

from portal.accounts.models import User

from .factories import DossierFactory, UserFactory, grant


@pytest.fixture
def compiled(monkeypatch):
    """How many times Django compiles a SELECT."""
    calls = []
    as_sql = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        calls.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return calls


def test_the_user_by_primary_key_is_the_orms_row_issue_8(db):
    user = UserFactory(email="jan@example.test", language="en")
    with CaptureQueriesContext(connection) as queries:
        prepared = User.objects.get(pk=str(user.pk))  # as the session holds it: a string
    assert len(queries) == 1
    orm = User.objects.filter(pk=user.pk).get()
    fields = [field.attname for field in User._meta.concrete_fields]
    assert [getattr(prepared, f) for f in fields] == [getattr(orm, f) for f in fields]
    assert prepared._state.db == "default" and not prepared._state.adding
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=user.pk + 1000)
    with pytest.raises(ValueError):
        User.objects.get(pk="not a number")  # as the ORM: a malformed session is an error


@login_not_required
def who(request):
    return HttpResponse("signed in" if request.user.is_authenticated else "anonymous")


urlpatterns = [path("who/", who)]


@pytest.mark.urls(__name__)
def test_a_signed_in_request_compiles_no_sql_for_the_session_and_user_issue_8(
    db, compiled, settings
):
    settings.OFFICE_CACHE_SECONDS = 60  # the office of the host: cached, as in production
    user = UserFactory(email="jan@example.test")
    grant(DossierFactory(), user.client)
    http = HttpClient()
    http.force_login(user)
    assert http.get("/who/").content == b"signed in"  # builds the prepared SQL once
    compiled.clear()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert http.get("/who/").content == b"signed in"
    assert len(queries) == 6  # the session and the user, each request
    assert compiled == []  # neither was compiled again
