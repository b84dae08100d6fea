"""``manage.py restore DIR``: put back what ``backup`` wrote. The whole manifest is checked
first (database vendor, migrations this code knows, the SHA-256 of the database file and of
every file); a mismatch stops the restore before anything is changed. A database that already
holds data is only overwritten with ``--replace``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.offices.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by `backup` (then run `migrate` if this code is newer)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite a database that already holds data with the backup",
        )

    def handle(self, *args, directory: Path, replace: bool, **options):
        try:
            result = restore_backup(directory, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the database ({result.database_file}) and {result.files} file(s) from "
            f"{directory}. Run `manage.py migrate` if this version of the portal is newer."
        )
