"""Session stores (``SESSION_ENGINE``): Django's database sessions, and Django's cached ones
(the cache in front, the database behind), with the read of a session by its key built once.

Django builds the SQL of ``Session.objects.get(session_key=…, expire_date__gt=now)`` anew on
every request (about 0.25 ms of Python on this project's benchmark machine, more than the query
itself); the stores here build it once per process and database from that same queryset and
then only execute it. Same query, same result, same count in the query-count tests.

The stores are named ``SessionStore`` like Django's: the name is part of the salt that signs a
session's data, so sessions written by Django's stores stay readable and the other way round.

- ``portal.sessions.db``: the database only.
- ``portal.sessions.cached_db``: read from the cache, the database behind it (a cache flush or
  a cache outage logs no one out; a change is written to both). Only with a cache every app
  process shares (``REDIS_URL``): with a per-process cache a logout in one process would leave
  the session alive in the copy another process keeps.
"""

from __future__ import annotations

import logging

from django.core.exceptions import SuspiciousOperation
from django.db import connections, router
from django.utils import timezone

# One prepared read per (session model, database alias): the SQL, the position of the key
# among its two parameters and the converters of the expiry column.
_PREPARED: dict[tuple[type, str], tuple[str, int, dict]] = {}
_MARKER = "portal-sessions-marker"


def _prepared(model: type, alias: str) -> tuple[str, int, dict]:
    found = _PREPARED.get((model, alias))
    if found is None:
        query = (
            model._default_manager.using(alias)
            .filter(session_key=_MARKER, expire_date__gt=timezone.now())
            .values_list("session_data", "expire_date")
            .query
        )
        compiler = query.get_compiler(alias)
        sql, params = compiler.as_sql()
        if len(params) != 2 or _MARKER not in params:
            raise RuntimeError(f"unexpected session query: {sql} {params}")
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        found = _PREPARED[(model, alias)] = (sql, params.index(_MARKER), converters)
    return found


class PreparedRead:
    """``_get_session_from_db`` of Django's database store with the SQL built once."""

    def _get_session_from_db(self):
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        try:
            sql, key_at, converters = _prepared(model, alias)
            params = [None, None]
            params[key_at] = self.session_key
            params[1 - key_at] = model._meta.get_field("expire_date").get_db_prep_value(
                timezone.now(), connection
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
            if row is None:
                raise model.DoesNotExist
            values = list(row)
            for at, (functions, expression) in converters.items():  # as the ORM converts
                for convert in functions:
                    values[at] = convert(values[at], expression, connection)
            return model.from_db(
                alias, ["session_key", "session_data", "expire_date"], (self.session_key, *values)
            )
        except (model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
                logger.warning(str(e))
            self._session_key = None
