"""``manage.py restore DIR``: read back what ``backup`` wrote, into a migrated, empty database
(``migrate`` first) and its file storage. Every file is checked against its SHA-256 before it is
stored; a mismatch stops the restore before the database is touched."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.accounts.models import User

from .backup import sha256_of


class Command(BaseCommand):
    help = "Restore a backup made by `backup` into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        manifest_path = directory / "manifest.json"
        if not manifest_path.exists() or not (directory / "database.json").exists():
            raise CommandError(
                f"{directory} does not hold a backup (manifest.json, database.json)."
            )
        if User.objects.exists():
            raise CommandError("The database is not empty: restore only into a new database.")
        manifest = json.loads(manifest_path.read_text())
        root = (directory / "files").resolve()
        for name, digest in manifest["files"].items():
            path = (directory / "files" / name).resolve()
            if not path.is_relative_to(root) or not path.is_file():
                raise CommandError(f"File {name!r} of the manifest is missing from the backup.")
            with open(path, "rb") as handle:
                if sha256_of(handle) != digest:
                    raise CommandError(f"File {name!r} does not match its checksum.")
        with transaction.atomic():
            call_command("loaddata", str(directory / "database.json"), verbosity=0)
        stored = 0
        for name in manifest["files"]:
            if default_storage.exists(name):
                default_storage.delete(name)
            with open(directory / "files" / name, "rb") as handle:
                saved = default_storage.save(name, File(handle))
            if saved != name:
                raise CommandError(f"Storage renamed {name!r} to {saved!r}.")
            stored += 1
        self.stdout.write(f"Restored the database and {stored} file(s) from {directory}")
