"""R-TEN-2, the second wall: PostgreSQL's row-level security keeps each office's rows to that
office even for a query that forgot the application's scope (raw SQL, the unscoped base
manager), and a connection that set no office sees nothing.

The suite connects as a superuser, which PostgreSQL never holds to a policy; these tests run
their queries as a role like the application's (no superuser, owns nothing), made inside the
test's transaction (rolled back with it) or, for the fresh connection and ``migrate``, made
for the test and dropped after it. SQLite has no row-level security: skipped there."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from portal.accounts.models import User
from portal.core import rls, tenancy
from portal.dossiers.models import Dossier
from portal.offices.models import Office, OfficeHost

from .factories import DossierFactory, StaffFactory

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-level security is PostgreSQL's (SQLite: the application's scope only)")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def as_app_role() -> Iterator[str]:
    """The block's queries run as a role like the application's: granted its rights by
    ``rls.grant_app_role``, no superuser, owns no table. Made in the test's transaction."""
    role = f"{connection.settings_dict['NAME']}_app"
    with connection.cursor() as cursor:
        cursor.execute(
            "do $$ begin if not exists (select from pg_roles where rolname = %s) then "
            f"create role {_quote(role)} nologin nosuperuser nobypassrls; end if; end $$",
            [role],
        )
        rls.grant_app_role(cursor, role)
        cursor.execute(f"set local role {_quote(role)}")
    try:
        yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute("reset role")


def raw_ids(table: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"select id from {table} order by id")  # noqa: S608 - our table names
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def two_offices():
    """Office A (the tests' first office) and office B, each with a dossier and a staff
    member; a hosting administrator (no office)."""
    office_a = Office.first_or_create()
    dossier_a, staff_a = DossierFactory(), StaffFactory()
    office_b = Office.objects.create(name="Kantoor B")
    OfficeHost.objects.create(office=office_b, name="b.example", primary=True)
    with tenancy.office_scope(office_b):
        dossier_b, staff_b = DossierFactory(), StaffFactory()
    with tenancy.cross_office():
        hosting = User.objects.create_user("hosting@example.test", office=None, is_staff=True)
    return office_a, office_b, dossier_a, dossier_b, staff_a, staff_b, hosting


def test_r_ten_2_every_office_table_has_row_level_security_enabled_forced_and_a_policy():
    """R-TEN-2: every table with an office column (from the app registry) and every table that
    hangs off a user or an office table has RLS enabled and forced, with its policy; the
    host-name table, read before an office is known, has none."""
    office_tables = rls.office_tables()
    linked_tables = rls.linked_tables()
    assert {"dossiers_dossier", "accounts_user", "documents_document"} <= set(office_tables)
    assert "offices_officehost" not in office_tables
    assert {
        "otp_totp_totpdevice",
        "twofactor_smsdevice",
        "django_otp_webauthn_webauthncredential",
        "django_otp_webauthn_webauthnattestation",
        "questionnaires_action_supplied_documents",
    } <= set(linked_tables)
    assert "django_session" not in linked_tables
    with connection.cursor() as cursor:
        state = rls.policy_state(cursor, [*office_tables, *linked_tables])
    assert set(state) == {*office_tables, *linked_tables}
    missing = [
        table
        for table, (enabled, forced, policies) in state.items()
        if not (enabled and forced)
        or (rls.OFFICE_POLICY if table in office_tables else rls.LINKED_POLICY) not in policies
    ]
    assert missing == [], f"tables without forced row-level security: {missing}"
    print(f"R-TEN-2: {len(office_tables)} office tables, {len(linked_tables)} linked tables")


def test_r_ten_2_applying_the_policies_again_changes_nothing():
    """R-TEN-2: the policies are applied after every migrate; a second run finds them all."""
    assert rls.apply_policies(connection) == []


def test_r_ten_2_raw_sql_in_an_office_scope_returns_no_other_office_rows(two_offices):
    """R-TEN-2: a raw query and the unscoped base manager inside office A's scope see only
    office A's rows; inside office B's, only B's."""
    office_a, office_b, dossier_a, dossier_b, staff_a, staff_b, hosting = two_offices
    with as_app_role():
        with tenancy.office_scope(office_a):
            assert raw_ids("dossiers_dossier") == [dossier_a.pk]
            assert staff_b.pk not in raw_ids("accounts_user")
            assert hosting.pk not in raw_ids("accounts_user")
            assert list(Dossier._base_manager.values_list("pk", flat=True)) == [dossier_a.pk]
        with tenancy.office_scope(office_b):
            assert raw_ids("dossiers_dossier") == [dossier_b.pk]
            assert set(raw_ids("accounts_user")) == {staff_b.pk}


def test_r_ten_2_no_office_sees_nothing_and_cross_office_sees_all(two_offices):
    """R-TEN-2: with no office set the connection sees no office's rows; cross-office (hosting
    commands, migrations) sees every office's, the hosting administrators included."""
    office_a, office_b, dossier_a, dossier_b, staff_a, staff_b, hosting = two_offices
    with as_app_role():
        with tenancy.no_office():
            assert raw_ids("dossiers_dossier") == []
            assert raw_ids("accounts_user") == []
        with tenancy.cross_office():
            assert {dossier_a.pk, dossier_b.pk} <= set(raw_ids("dossiers_dossier"))
            assert {staff_a.pk, staff_b.pk, hosting.pk} <= set(raw_ids("accounts_user"))


def test_r_ten_2_a_row_of_another_office_is_neither_written_nor_changed(two_offices):
    """R-TEN-2 (WITH CHECK): inside office A's scope a row cannot be moved to office B nor
    written with B's id, and B's rows are not updated (not even seen)."""
    office_a, office_b, dossier_a, dossier_b, *_ = two_offices
    with as_app_role(), tenancy.office_scope(office_a), connection.cursor() as cursor:
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute(
                "update dossiers_dossier set office_id = %s where id = %s",
                [office_b.pk, dossier_a.pk],
            )
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute(
                "insert into offices_dossierstatus (office_id, name, in_progress, position)"
                " select %s, 'Vreemd', true, 0",
                [office_b.pk],
            )
        cursor.execute(
            "update dossiers_dossier set description = 'x' where id = %s", [dossier_b.pk]
        )
        assert cursor.rowcount == 0
    dossier_b.refresh_from_db()
    assert dossier_b.description != "x"


def test_r_ten_2_linked_tables_follow_their_user(two_offices):
    """R-TEN-2: a second factor of office B's user is invisible in office A's scope."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    office_a, office_b, _, _, staff_a, staff_b, _ = two_offices
    with tenancy.cross_office():
        device_a = TOTPDevice.objects.create(user=staff_a, name="a")
        device_b = TOTPDevice.objects.create(user=staff_b, name="b")
    with as_app_role(), tenancy.office_scope(office_a):
        ids = raw_ids("otp_totp_totpdevice")
    assert device_a.pk in ids and device_b.pk not in ids


def test_r_ten_2_the_office_survives_a_rolled_back_savepoint(two_offices):
    """R-TEN-2: a setting sent inside a savepoint that is rolled back is undone by PostgreSQL;
    the connection is given the context's office again before the next query."""
    office_a, office_b, dossier_a, dossier_b, *_ = two_offices
    with as_app_role(), tenancy.office_scope(office_a):
        assert raw_ids("dossiers_dossier") == [dossier_a.pk]
        scope_b = tenancy.office_scope(office_b)
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            scope_b.__enter__()
            assert raw_ids("dossiers_dossier") == [dossier_b.pk]
            1 / 0  # noqa: B018 - the savepoint (and the setting sent in it) is rolled back
        try:
            # The context is still office B; the database went back to office A.
            assert raw_ids("dossiers_dossier") == [dossier_b.pk]
        finally:
            scope_b.__exit__(None, None, None)
        assert raw_ids("dossiers_dossier") == [dossier_a.pk]


def test_r_ten_2_the_setting_is_not_a_counted_query(two_offices, django_assert_num_queries):
    """R-TEN-2: handing the office to the connection goes through the DB-API cursor, so the
    page tests' query counts are those of the page's own queries."""
    office_a, office_b, *_ = two_offices
    for office in (office_a, office_b, office_a):
        with tenancy.office_scope(office), django_assert_num_queries(1):
            raw_ids("dossiers_dossier")


@pytest.mark.django_db(transaction=True)
def test_r_ten_2_a_fresh_connection_that_set_no_office_sees_nothing():
    """R-TEN-2: a new session as a role like the application's that never set an office (e.g.
    a script that bypasses the application) reads no office's rows, though rows exist."""
    import psycopg

    DossierFactory()
    StaffFactory()
    with tenancy.cross_office():
        assert Dossier.objects.count() == 1
    role = f"{connection.settings_dict['NAME']}_fresh"
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as fresh:  # a transaction, rolled back at the end
        fresh.execute(
            f"create role {_quote(role)} nologin nosuperuser nobypassrls"
            if not fresh.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
            else "select 1"
        )
        with fresh.cursor() as cursor:
            rls.grant_app_role(cursor, role)
            cursor.execute(f"set local role {_quote(role)}")
            counts = {}
            for table in ("dossiers_dossier", "accounts_user", "offices_dossierstatus"):
                cursor.execute(f"select count(*) from {table}")  # noqa: S608
                counts[table] = cursor.fetchone()[0]
        fresh.rollback()
    assert counts == {"dossiers_dossier": 0, "accounts_user": 0, "offices_dossierstatus": 0}


def _psql_admin(sql: str) -> None:
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql)


def test_r_ten_2_migrate_from_zero_as_the_owner_grants_the_application_role(tmp_path):
    """R-TEN-2: ``migrate`` from an empty database runs as the tables' owner (a plain role,
    held to the forced policies, DATABASE_OWNER_URL) across offices, and grants the
    application's role (DATABASE_URL) its rights: the application's role reads and writes
    under the policies but owns nothing, so it cannot switch them off."""
    import psycopg

    suffix = uuid.uuid4().hex[:8]
    database, owner, app = f"kp_rls_zero_{suffix}", f"kp_rls_owner_{suffix}", f"kp_rls_app_{suffix}"
    params = connection.get_connection_params()
    host, port = params.get("host") or "127.0.0.1", params.get("port") or 5432
    _psql_admin(f"create role {owner} login nosuperuser nobypassrls")
    _psql_admin(f"create role {app} login nosuperuser nobypassrls")
    _psql_admin(f"create database {database} owner {owner}")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="portal.settings",
            SECRET_KEY="tests-only-not-a-secret",
            VAR_DIR=tempfile.mkdtemp(prefix="kp-rls-", dir=tmp_path),
            PORTAL_DEV_APP="0",
            DATABASE_URL=f"postgres://{app}@{host}:{port}/{database}",
            DATABASE_OWNER_URL=f"postgres://{owner}@{host}:{port}/{database}",
            PYTHONPATH=str(ROOT / "src"),
        )
        done = subprocess.run(  # noqa: S603 - our own manage.py
            [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        with psycopg.connect(host=host, port=port, dbname=database, user=app) as app_db:
            owners = app_db.execute(
                "select distinct tableowner from pg_tables where schemaname = current_schema()"
            ).fetchall()
            assert owners == [(owner,)]
            forced = app_db.execute(
                "select count(*) from pg_class where relforcerowsecurity and relrowsecurity"
                " and relnamespace = current_schema()::regnamespace"
            ).fetchone()[0]
            assert forced == len(rls.office_tables()) + len(rls.linked_tables())
            app_db.execute("select set_config('portal.cross_office', '', false)")
            assert app_db.execute("select count(*) from accounts_user").fetchone()[0] == 0
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app_db.execute("alter table dossiers_dossier no force row level security")
    finally:
        _psql_admin(f"drop database if exists {database} with (force)")
        _psql_admin(f"drop role if exists {app}")
        _psql_admin(f"drop role if exists {owner}")
