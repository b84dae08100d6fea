"""``manage.py backup DIR``: the database with its own tools (``pg_dump`` for PostgreSQL,
SQLite's online backup API for the embedded mode) and every stored file, in a new folder with a
``manifest.json`` that ``restore`` checks (see portal.offices.backup and docs/deployment.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.offices.backup import BackupError, make_backup


class Command(BaseCommand):
    help = "Back up the database and all stored files into DIR (read back by `restore`)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a new or empty folder")

    def handle(self, *args, directory: Path, **options):
        try:
            result = make_backup(directory)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up the database ({result.database_file}) and {result.files} file(s) to "
            f"{directory}"
            + (
                f"; {len(result.missing_files)} file(s) referenced but missing from the storage: "
                "see manifest.json"
                if result.missing_files
                else ""
            )
        )
