"""The office row is cached between requests (issue 9) and dropped when it changes."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from portal.offices.models import CACHE_KEY, Office


@pytest.fixture
def office_cache():
    cache.delete(CACHE_KEY)
    with override_settings(OFFICE_CACHE_SECONDS=60):
        yield
    cache.delete(CACHE_KEY)


@pytest.mark.django_db
def test_cached_office_costs_no_query_after_the_first(office_cache):
    office = Office.current()
    assert Office.cached().pk == office.pk
    with CaptureQueriesContext(connection) as captured:
        again = Office.cached()
    assert again.pk == office.pk and again.name == office.name
    assert len(captured.captured_queries) == 0


@pytest.mark.django_db
def test_saving_the_office_drops_the_cached_copy_R_ACC_5(office_cache, client):
    office = Office.current()
    Office.cached()
    office.name = "Notariaat <De Linde>"
    office.save()
    assert Office.cached().name == "Notariaat <De Linde>"
    # The page shows it, escaped.
    response = client.get("/inloggen/")
    assert "Notariaat &lt;De Linde&gt;" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_copy_is_dropped_again_after_the_commit(office_cache):
    from django.db import transaction

    office = Office.current()
    with transaction.atomic():
        office.name = "Later"
        office.save()
        # Another request caches the row between the save and the commit (here: this one).
        cache.set(CACHE_KEY, Office(pk=office.pk, name="Oud"), 60)
    assert Office.cached().name == "Later"


@pytest.mark.django_db
def test_deleting_the_office_drops_the_cached_copy(office_cache):
    office = Office.current()
    Office.cached()
    office.delete()
    assert Office.cached().pk != office.pk


@pytest.mark.django_db
def test_zero_seconds_turns_the_cache_off():
    with override_settings(OFFICE_CACHE_SECONDS=0):
        Office.current()
        with CaptureQueriesContext(connection) as captured:
            Office.cached()
        assert len(captured.captured_queries) == 1
