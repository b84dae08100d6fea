"""The suite runs on the database CI asked for: a PostgreSQL run that silently fell back to
SQLite would prove nothing."""

import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_runs_on_the_expected_database_issue_8():
    expected = os.environ.get("EXPECT_DB_VENDOR", "sqlite")
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
