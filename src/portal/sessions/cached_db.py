"""``SESSION_ENGINE = "portal.sessions.cached_db"``: sessions read from the cache, the database
behind it (see the package)."""

from django.contrib.sessions.backends import cached_db

from . import PreparedRead


class SessionStore(PreparedRead, cached_db.SessionStore):
    pass
