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
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.db import router
from django.utils import timezone

from portal.prepared import PreparedQuery

_READ = PreparedQuery(
    lambda *, key, now: Session.objects.filter(session_key=key, expire_date__gt=now).values_list(
        "session_data", "expire_date"
    ),
    key=(Session._meta.get_field("session_key"), "portal-sessions-marker"),
    now=(Session._meta.get_field("expire_date"), datetime(1901, 2, 3, 4, 5, 6, 7, tzinfo=UTC)),
)


if TYPE_CHECKING:  # the stores this mixes into
    from django.contrib.sessions.backends.db import SessionStore as _Store
else:
    _Store = object


class PreparedRead(_Store):
    """``_get_session_from_db`` of Django's database store with the SQL built once."""

    def _get_session_from_db(self):
        model = self.model
        try:
            if model is not Session:  # a custom session model: Django's own read
                return super()._get_session_from_db()  # type: ignore[misc]  # private, not in the stubs
            alias = router.db_for_read(model)
            row = _READ.first(alias, key=self.session_key, now=timezone.now())
            if row is None:
                raise model.DoesNotExist
            return model.from_db(
                alias, ["session_key", "session_data", "expire_date"], (self.session_key, *row)
            )
        except (model.DoesNotExist, SuspiciousOperation) as e:
            if isinstance(e, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
                logger.warning(str(e))
            self._session_key = None
