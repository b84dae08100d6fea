"""The office of a host name is cached between requests and dropped when the office or its host
names change (R-TEN-1)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from portal.offices.models import HOST_CACHE_KEY, Office, OfficeHost


@pytest.fixture
def office_cache():
    cache.clear()
    with override_settings(OFFICE_CACHE_SECONDS=60):
        yield
    cache.clear()


@pytest.fixture
def hosted():
    office = Office.objects.create(name="Notariaat De Linde")
    OfficeHost.objects.create(office=office, name="linde.example", primary=True)
    return office


@pytest.mark.django_db
def test_host_lookup_costs_no_query_after_the_first_R_TEN_1(office_cache, hosted):
    assert Office.for_host("linde.example").pk == hosted.pk
    with CaptureQueriesContext(connection) as captured:
        again = Office.for_host("LINDE.example.")
    assert again.pk == hosted.pk and again.name == hosted.name
    assert len(captured.captured_queries) == 0


@pytest.mark.django_db
def test_an_unknown_host_is_cached_as_unknown_R_TEN_1(office_cache, hosted):
    assert Office.for_host("elders.example") is None
    with CaptureQueriesContext(connection) as captured:
        assert Office.for_host("elders.example") is None
    assert len(captured.captured_queries) == 0
    # A host name added later is found at once.
    OfficeHost.objects.create(office=hosted, name="elders.example")
    assert Office.for_host("elders.example").pk == hosted.pk


@pytest.mark.django_db
def test_saving_the_office_drops_the_cached_copy_R_ACC_5(office_cache, hosted, client):
    Office.for_host("linde.example")
    hosted.name = "Notariaat <De Linde>"
    hosted.save()
    assert Office.for_host("linde.example").name == "Notariaat <De Linde>"
    # The page shows it, escaped.
    response = client.get("/inloggen/", HTTP_HOST="linde.example")
    assert "Notariaat &lt;De Linde&gt;" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_copy_is_dropped_again_after_the_commit_R_TEN_1(office_cache, hosted):
    with transaction.atomic():
        hosted.name = "Later"
        hosted.save()
        # Another request caches the row between the save and the commit (here: this one).
        cache.set(HOST_CACHE_KEY.format("linde.example"), Office(pk=hosted.pk, name="Oud"), 60)
    assert Office.for_host("linde.example").name == "Later"


@pytest.mark.django_db
def test_deleting_a_host_name_drops_the_cached_copy_R_TEN_1(office_cache, hosted):
    Office.for_host("linde.example")
    OfficeHost.objects.filter(name="linde.example").get().delete()
    assert Office.for_host("linde.example") is None


@pytest.mark.django_db
def test_zero_seconds_turns_the_cache_off_R_TEN_1(hosted):
    with override_settings(OFFICE_CACHE_SECONDS=0):
        Office.for_host("linde.example")
        with CaptureQueriesContext(connection) as captured:
            Office.for_host("linde.example")
        assert len(captured.captured_queries) == 1
