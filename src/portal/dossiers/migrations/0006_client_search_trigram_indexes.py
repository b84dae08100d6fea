"""Trigram indexes for the staff workspace's search by client name and account e-mail (issue 9;
``workspace.queries.dossier_rows``) — PostgreSQL only, a no-op on SQLite.

Django compiles ``name__icontains`` / ``email__icontains`` on PostgreSQL to
``UPPER("col"::text) LIKE UPPER('%…%')``; these GIN indexes are on that expression (as in
0003). They live here, with the dossier search they serve, rather than in the accounts app.
"""

from django.db import migrations

INDEXES = {
    "accounts_client_name_trgm": ("accounts_client", "name"),
    "accounts_user_email_trgm": ("accounts_user", "email"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0005_newest_index"),
        ("accounts", "0002_updated_at"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
