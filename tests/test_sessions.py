"""Session stores (portal/sessions): the read of a session by its key is built once per process
and answers exactly what Django's store answers; with the cache in front (``cached_db``, used
with a shared cache) a session survives a cache flush, and ending a user's sessions (a blocked
account, a second-factor change: ASVS V7) ends their cached copies too."""

from __future__ import annotations

import re
from datetime import timedelta
from importlib import import_module

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.accounts import services as accounts
from portal.sessions.cached_db import SessionStore as CachedStore
from portal.sessions.db import SessionStore as DatabaseStore

from .factories import DossierFactory, UserFactory, grant


def test_the_default_engine_without_a_shared_cache_is_the_database_issue_8(settings):
    """Tests run without REDIS_URL: a per-process cache must not hold sessions."""
    assert settings.SESSION_ENGINE == "portal.sessions.db"


@pytest.mark.parametrize("store", [DatabaseStore, CachedStore])
def test_a_session_reads_back_as_django_reads_it_issue_8(db, store):
    session = store()
    session["answer"] = 42
    session.create()
    session.save()
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        loaded = store(session.session_key)
        assert loaded["answer"] == 42
    assert len(queries) == 1
    # The same conditions as Django's Session.objects.get(session_key=…, expire_date__gt=now).
    with CaptureQueriesContext(connection) as django_queries:
        assert DjangoStore(session.session_key)["answer"] == 42

    def where(query: dict) -> str:
        # get() adds LIMIT 21 (it checks for a second row); the key is the primary key.
        return re.sub(r"'[^']*'", "?", query["sql"].split(" WHERE ", 1)[1]).removesuffix(
            " LIMIT 21"
        )

    assert where(queries[0]) == where(django_queries[0])
    row = Session.objects.get(session_key=session.session_key)
    assert store(session.session_key)._get_session_from_db().expire_date == row.expire_date


@pytest.mark.parametrize("store", [DatabaseStore, CachedStore])
def test_an_expired_or_unknown_session_is_empty_issue_8(db, store):
    session = store()
    session["answer"] = 42
    session.create()
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    cache.clear()
    expired = store(session.session_key)
    assert expired.load() == {} and expired.session_key is None
    unknown = store("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_a_cached_session_survives_a_cache_flush_and_is_then_served_from_the_cache_issue_8(db):
    session = CachedStore()
    session["answer"] = 42
    session.create()
    session.save()
    with CaptureQueriesContext(connection) as queries:
        assert CachedStore(session.session_key)["answer"] == 42
    assert len(queries) == 0  # from the cache
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert CachedStore(session.session_key)["answer"] == 42
    assert len(queries) == 1  # from the database, and cached again
    with CaptureQueriesContext(connection) as queries:
        assert CachedStore(session.session_key)["answer"] == 42
    assert len(queries) == 0


def test_ending_a_users_sessions_ends_their_cached_copies_issue_8(db, settings):
    """A blocked account's session (or a session ended by a second-factor change) must not live
    on in the cache: without deleting the cached copy the next request would still be served."""
    settings.SESSION_ENGINE = "portal.sessions.cached_db"
    assert import_module(settings.SESSION_ENGINE).SessionStore is CachedStore
    user = UserFactory(email="jan@example.test")
    grant(DossierFactory(), user.client)
    grant(DossierFactory(), user.client)
    here, elsewhere = HttpClient(), HttpClient()
    here.force_login(user)
    elsewhere.force_login(user)
    assert elsewhere.get("/dossiers/").status_code == 200  # the session is in the cache now
    assert cache.get(CachedStore.cache_key_prefix + elsewhere.session.session_key)

    assert accounts.end_sessions(user, keep=here.session.session_key) == 1
    assert elsewhere.get("/dossiers/").status_code == 302  # logged out
    assert here.get("/dossiers/").status_code == 200
