"""``manage.py backup DIR``: the database and every stored file, in a folder that ``restore``
reads back. The database goes out as Django fixtures (portable between SQLite and PostgreSQL);
the files as copies under their storage names, each with its SHA-256 in ``manifest.json``.

For a large office use the database's own tools (``pg_dump``) and the bucket's versioning as
well; this pair is the tested, vendor-neutral round trip (see docs/deployment.md)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models
from django.utils import timezone

#: Not backed up: derived (content types, permissions: made by migrate) or short-lived (sessions,
#: login attempts).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes"]
CHUNK = 1024 * 1024


def stored_files() -> set[str]:
    """The storage names of every file a model points to."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                values = model._default_manager.exclude(**{field.name: ""}).values_list(
                    field.name, flat=True
                )
                names.update(name for name in values if name)
    return names


def sha256_of(handle) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Back up the database and all stored files into DIR (read back by `restore`)."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        if directory.exists() and any(directory.iterdir()):
            raise CommandError(f"{directory} is not empty: choose a new folder.")
        (directory / "files").mkdir(parents=True, exist_ok=True)
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=EXCLUDED,
            output=str(directory / "database.json"),
            verbosity=0,
        )
        files = {}
        missing = []
        for name in sorted(stored_files()):
            target = directory / "files" / name
            if not target.resolve().is_relative_to((directory / "files").resolve()):
                raise CommandError(f"Unsafe storage name {name!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with default_storage.open(name, "rb") as source, open(target, "wb") as out:
                    for chunk in iter(lambda: source.read(CHUNK), b""):
                        out.write(chunk)
            except FileNotFoundError:
                missing.append(name)
                continue
            with open(target, "rb") as copy:
                files[name] = sha256_of(copy)
        manifest = {
            "created_at": timezone.now().isoformat(),
            "database_vendor": connection.vendor,
            "files": files,
            "missing_files": missing,
        }
        (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
        self.stdout.write(
            f"Backed up the database and {len(files)} file(s) to {directory}"
            + (
                f"; {len(missing)} file(s) referenced but missing: see manifest.json"
                if missing
                else ""
            )
        )
