"""Row-level security on PostgreSQL, the second wall of the office isolation (R-TEN-2).

Every table with an ``office_id`` column (every concrete model with a field named ``office``,
except the host-name table, which is read before an office is known) gets ``ENABLE`` and
``FORCE ROW LEVEL SECURITY`` and one policy: a row is visible and writable only when its
``office_id`` is the connection's ``portal.office_id`` setting, or when the connection set
``portal.cross_office`` to ``on`` (hosting commands, migrations). The rows of the user table
with no office (hosting administrators) are therefore visible cross-office only. Tables with
no office column that hang off a user (second-factor devices, passkeys, the admin log, the
user's group links) get a policy through the user table: ``user_id IN (SELECT id FROM
accounts_user)``, a subquery that PostgreSQL evaluates under the user table's own policy.

The policies are (re)applied after every ``migrate`` (``apply_policies`` on ``post_migrate``),
only where one is missing, so new tables get theirs and a second run changes nothing.
``FORCE`` makes the tables' owner subject too; superusers and roles with ``BYPASSRLS`` never
are, so the application must not connect as one.

The application hands its office to the connection (``install``): the database session
settings follow the context of ``tenancy``. They are sent when the context changes (a
listener) and, before each query, compared with what the connection was last given, through
the raw DB-API cursor so that Django's query counts do not change. The comparison before each
query is what keeps it right across transactions: a ``set_config`` made inside a transaction
that is rolled back is undone by PostgreSQL, so a setting sent inside a transaction counts as
given only while that transaction (or savepoint) can still commit -- it is tracked with an
``on_commit`` marker, which Django drops on a rollback -- and is sent again after one.

SQLite has no row-level security: there everything here does nothing, and the application's
scoping (``scoping``) is the only wall.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import dj_database_url
from django.apps import apps as global_apps
from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

from . import tenancy

OFFICE_POLICY = "portal_office"
LINKED_POLICY = "portal_office_linked"
# Read before an office is known (the request's host name chooses the office).
UNSCOPED_TABLES = frozenset({"offices_officehost"})

CROSS_OFFICE = "current_setting('portal.cross_office', true) = 'on'"
OWN_OFFICE = "office_id = nullif(current_setting('portal.office_id', true), '')::bigint"
SET_SQL = (
    "select set_config('portal.office_id', %s, false), set_config('portal.cross_office', %s, false)"
)


def _concrete_models() -> Iterator[Any]:
    for model in global_apps.get_models(include_auto_created=True):
        if not model._meta.proxy and model._meta.managed:
            yield model


def office_tables() -> list[str]:
    """The tables with an office column: every concrete model with a field named ``office``."""
    tables = set()
    for model in _concrete_models():
        names = {f.name for f in model._meta.concrete_fields}
        if "office" in names and model._meta.db_table not in UNSCOPED_TABLES:
            tables.add(model._meta.db_table)
    return sorted(tables)


def linked_tables() -> dict[str, tuple[str, str, str]]:
    """Tables with no office column that hang off a table with a policy: those with a foreign
    key to the user model (second-factor devices, passkeys, the admin log, group links) or to
    an office table (a link table), and so on down (a passkey's attestation). Table -> (its
    key's column, the parent table, the parent's column); the user key is preferred."""
    user_label = settings.AUTH_USER_MODEL
    protected = set(office_tables())
    candidates = [
        model
        for model in _concrete_models()
        if "office" not in {f.name for f in model._meta.concrete_fields}
        and model._meta.db_table not in UNSCOPED_TABLES
    ]
    found: dict[str, tuple[str, str, str]] = {}
    grew = True
    while grew:
        grew = False
        for model in candidates:
            table = model._meta.db_table
            if table in found:
                continue
            keys = [
                f
                for f in model._meta.concrete_fields
                if f.is_relation
                and (f.many_to_one or f.one_to_one)
                and f.related_model._meta.db_table in protected.union(found)
            ]
            keys.sort(key=lambda f: f.related_model._meta.label != user_label)
            if keys:
                key = keys[0]
                parent = key.related_model._meta.db_table
                found[table] = (key.column, parent, key.target_field.column)
                grew = True
    return dict(sorted(found.items()))


def policy_statements(table: str, link: tuple[str, str, str] | None = None) -> list[str]:
    """The statements that give ``table`` its policy (``link``: a table that hangs off another,
    see ``linked_tables``). ``FOR ALL`` with the same ``WITH CHECK``: a row of another office
    can be neither read nor written."""
    quoted = f'"{table}"'
    if link is None:
        name, condition = OFFICE_POLICY, f"({CROSS_OFFICE}) or ({OWN_OFFICE})"
    else:
        column, parent, parent_column = link
        name = LINKED_POLICY
        # Names from the app registry, not from input. The subquery is evaluated under the
        # parent table's own policy.
        condition = (
            f'({CROSS_OFFICE}) or ("{column}" in (select "{parent_column}" from "{parent}"))'  # noqa: S608
        )
    return [
        f"alter table {quoted} enable row level security",
        f"alter table {quoted} force row level security",
        f"drop policy if exists {name} on {quoted}",
        f"create policy {name} on {quoted} for all using ({condition}) with check ({condition})",
    ]


def policy_state(cursor: Any, tables: Iterable[str]) -> dict[str, tuple[bool, bool, list[str]]]:
    """table -> (RLS enabled, forced, its policy names), for the tables that exist."""
    cursor.execute(
        """
        select c.relname, c.relrowsecurity, c.relforcerowsecurity,
               coalesce(array_agg(p.polname) filter (where p.polname is not null), '{}')
        from pg_class c
        left join pg_policy p on p.polrelid = c.oid
        where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
          and c.relname = any(%s)
        group by c.relname, c.relrowsecurity, c.relforcerowsecurity
        """,
        [list(tables)],
    )
    return {name: (enabled, forced, list(policies)) for name, enabled, forced, policies in cursor}


def apply_policies(connection: BaseDatabaseWrapper) -> list[str]:
    """Give every office table (and every table that hangs off a user) its policy where it is
    missing; the tables changed. Idempotent; nothing on databases other than PostgreSQL."""
    if connection.vendor != "postgresql":
        return []
    wanted: dict[str, tuple[str, str, str] | None] = dict.fromkeys(office_tables())
    wanted.update(linked_tables())
    changed = []
    with connection.cursor() as cursor:
        state = policy_state(cursor, wanted)
        for table, link in wanted.items():
            if table not in state:  # not migrated (yet)
                continue
            enabled, forced, policies = state[table]
            name = OFFICE_POLICY if link is None else LINKED_POLICY
            if enabled and forced and name in policies:
                continue
            for statement in policy_statements(table, link):
                cursor.execute(statement)
            changed.append(table)
    return changed


def grant_app_role(cursor: Any, role: str) -> None:
    """The application's role may read and write every table's rows (under the policies) and
    use the sequences, but owns nothing: it cannot alter a table or its policies."""
    quoted = '"' + role.replace('"', '""') + '"'
    cursor.execute("select current_schema()")
    schema = '"' + str(cursor.fetchone()[0]).replace('"', '""') + '"'
    cursor.execute(f"grant usage on schema {schema} to {quoted}")
    cursor.execute(
        f"grant select, insert, update, delete on all tables in schema {schema} to {quoted}"
    )
    cursor.execute(f"grant usage, select on all sequences in schema {schema} to {quoted}")


def app_role() -> str | None:
    """The role the application connects as (``DATABASE_URL``), when migrations run as
    another (the owner, ``DATABASE_OWNER_URL``): it is granted its rights after each
    ``migrate``. Read from the URL: during ``migrate`` the connection is the owner's."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    if not owner:
        return None
    user = dj_database_url.parse(settings.DATABASE_URL).get("USER") or None
    return user if user and user != owner.get("USER") else None


@contextmanager
def as_owner(alias: str) -> Iterator[None]:
    """Run the block (``migrate``) as the tables' owner when ``DATABASE_OWNER_URL`` is set: the
    same database, the owner's user name and password."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    connection = connections[alias]
    if not owner or connection.vendor != "postgresql":
        yield
        return
    saved = {key: connection.settings_dict.get(key) for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update({"USER": owner.get("USER"), "PASSWORD": owner.get("PASSWORD")})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def on_post_migrate(using: str = "default", **kwargs: Any) -> None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with tenancy.cross_office():
        apply_policies(connection)
        role = app_role()
        if role:
            with connection.cursor() as cursor:
                grant_app_role(cursor, role)


# --- the connection follows the context --------------------------------------------------------


@dataclass
class _Given:
    """What a connection was last given, and whether it still holds (see the module's text)."""

    values: tuple[str, str]
    # None: given outside a transaction, it holds. Otherwise held while this marker is among
    # the connection's on-commit callbacks, or once it ran (the transaction committed).
    marker: _Marker | None = None


@dataclass(eq=False)
class _Marker:
    committed: bool = False
    connection: Any = field(default=None, repr=False)

    def __call__(self) -> None:
        # Run at a real commit only: a test's captured callbacks run inside the test's
        # transaction, which is still rolled back.
        if self.connection is not None and not self.connection.in_atomic_block:
            self.committed = True


_ATTRIBUTE = "_portal_rls_given"


def _wanted() -> tuple[str, str]:
    if tenancy.is_cross_office():
        return ("", "on")
    office = tenancy.chosen_office()
    return ("" if office is None else str(office.pk), "")


def _holds(connection: Any, given: _Given | None) -> bool:
    if given is None:
        return False
    marker = given.marker
    if marker is None or marker.committed:
        return True
    return any(callback is marker for _, callback, _ in connection.run_on_commit)


def _broken(connection: Any) -> bool:
    """A transaction that already failed runs nothing more (the query will say why)."""
    if connection.needs_rollback:
        return True
    status = connection.connection.info.transaction_status  # psycopg's TransactionStatus
    return bool(status.name == "INERROR")


def sync(connection: Any) -> None:
    """Give ``connection`` the context's office unless it holds it already."""
    if connection.vendor != "postgresql" or connection.connection is None:
        return
    wanted = _wanted()
    given = getattr(connection, _ATTRIBUTE, None)
    if given is not None and given.values == wanted and _holds(connection, given):
        return
    if _broken(connection):
        return
    # Django's errors (a lost connection is an OperationalError, as for any query).
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        cursor.execute(SET_SQL, wanted)
    marker = None
    if connection.in_atomic_block:
        marker = _Marker(connection=connection)
        connection.on_commit(marker)
    elif not connection.get_autocommit():
        # A transaction managed by hand: no marker to watch, so check again next time.
        setattr(connection, _ATTRIBUTE, None)
        return
    setattr(connection, _ATTRIBUTE, _Given(wanted, marker))


def _before_query(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    sync(context["connection"])
    return execute(sql, params, many, context)


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "postgresql":
        return
    # A new session has no settings: it sees nothing until it is given an office.
    setattr(connection, _ATTRIBUTE, _Given(("", "")))
    if _before_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(_before_query)
    sync(connection)


def _on_context_change(office_id: int | None, cross: bool) -> None:
    for connection in connections.all(initialized_only=True):
        if connection.vendor == "postgresql" and connection.connection is not None:
            try:
                sync(connection)
            except DatabaseError:
                # E.g. the connection was lost: the context may be left in a ``finally``, where
                # this must not hide the error being raised. The next query sends it again
                # (or fails as it would have).
                setattr(connection, _ATTRIBUTE, None)


def install() -> None:
    """Connect the connection to the context (``OfficesConfig.ready``)."""
    connection_created.connect(_on_connection_created, dispatch_uid="portal_rls_connection")
    tenancy.add_listener(_on_context_change)
