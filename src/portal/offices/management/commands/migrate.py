"""``migrate`` as the tables' owner and across offices (R-TEN-2): on PostgreSQL the row-level
security policies hold for the owner too, and migrations (schema and data) work on every
office's rows. With ``DATABASE_OWNER_URL`` set, the command connects as that role and grants
the application's role (``DATABASE_URL``) its rights afterwards (``portal.core.rls``)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as MigrateCommand

from portal.core import rls, tenancy


class Command(MigrateCommand):
    help = MigrateCommand.help + " Runs as the database owner (DATABASE_OWNER_URL), across offices."

    def handle(self, *args: Any, **options: Any) -> Any:
        with rls.as_owner(options["database"]), tenancy.cross_office():
            return super().handle(*args, **options)
