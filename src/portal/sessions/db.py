"""``SESSION_ENGINE = "portal.sessions.db"``: sessions in the database (see the package)."""

from django.contrib.sessions.backends import db

from . import PreparedRead


class SessionStore(PreparedRead, db.SessionStore):
    pass
