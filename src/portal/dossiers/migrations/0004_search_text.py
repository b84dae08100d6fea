"""One search column and one trigram index for the dossier search (issue 9).

``Dossier.search_text`` is a stored generated column: number and description on two lines.
``Dossier.objects.search`` is ``search_text__icontains``, which Django compiles on PostgreSQL to
``UPPER("search_text"::text) LIKE UPPER('%…%')`` (the cast of a text column is a no-op), so one
GIN trigram index on ``UPPER("search_text")`` serves it: one bitmap scan instead of a BitmapOr
of the two indexes of migration 0003, which this migration drops. PostgreSQL only; on SQLite
the column is added and ``LIKE`` scans, as before.
"""

import django.db.models.functions.text
from django.db import migrations, models

INDEX = "dossiers_dossier_search_trgm"
OLD = {
    "dossiers_dossier_number_trgm": "number",
    "dossiers_dossier_description_trgm": "description",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "dossiers_dossier" '
        'USING gin (UPPER("search_text") gin_trgm_ops)'
    )
    for name in OLD:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')
    for name, column in OLD.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "dossiers_dossier" '
            f'USING gin (UPPER("{column}") gin_trgm_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0003_search_trigram_indexes")]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Concat(
                    "number", models.Value("\n"), "description"
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
