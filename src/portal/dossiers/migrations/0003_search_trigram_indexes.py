"""Trigram indexes for the dossier search (issue 9) — on PostgreSQL only; a no-op on SQLite.

``Dossier.objects.search`` uses ``icontains``, which Django compiles on PostgreSQL to
``UPPER("number"::text) LIKE UPPER('%…%')``. A B-tree cannot serve a leading wildcard; a GIN
trigram index on the same expression (``UPPER(col) gin_trgm_ops``) can, so these indexes are on
exactly that expression (checked with EXPLAIN in bench/search.py). pg_trgm is a trusted
extension (PostgreSQL 13+): the database owner may create it.
"""

from django.db import migrations

INDEXES = {
    "dossiers_dossier_number_trgm": "number",
    "dossiers_dossier_description_trgm": "description",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "dossiers_dossier" '
            f'USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0002_updated_at")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
