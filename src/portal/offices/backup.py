"""A backup of the whole portal, with the database's own tools, and its restore.

A backup is a folder:

- ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom``) or ``database.sqlite3``
  (SQLite: a copy made with SQLite's online backup API, consistent while the portal runs);
- ``files/<storage name>``: every object in the default file storage (the local media folder,
  or the S3 bucket, copied through the same storage API);
- ``manifest.json``, written last: when, the database vendor, the Django migration state, and
  the SHA-256 and size of the database file and of every file.

A restore checks the whole manifest (vendor, format, migrations this code knows, every
checksum) before it touches the database, and refuses a database that already holds data unless
told to replace it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage, storages
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from portal.core import tenancy

FORMAT = "klantportaal-backup/2"
MANIFEST = "manifest.json"
FILES = "files"
DATABASE_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024
# libpq reads these from the environment: the password never appears on a command line.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "service": "PGSERVICE",
}


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why, for the operator."""


@dataclass
class Result:
    database_file: str
    files: int
    missing_files: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def referenced_files() -> set[str]:
    """The storage names of every file a model points to."""
    names: set[str] = set()
    with tenancy.cross_office():  # every office's: the backup is the installation's
        return _referenced_files(names)


def _referenced_files(names: set[str]) -> set[str]:
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField):
                values = model._default_manager.exclude(**{model_field.name: ""}).values_list(
                    model_field.name, flat=True
                )
                names.update(name for name in values if name)
    return names


def storage_names(storage=None, folder: str = "") -> list[str]:
    """Every file in the storage, walked through its own API (local folder or bucket alike)."""
    storage = storage or default_storage
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local media folder that was never created
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names.extend(storage_names(storage, f"{folder}/{sub}" if folder else sub))
    return sorted(names)


def migration_state() -> dict[str, list[str]]:
    state: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        state.setdefault(app_label, []).append(name)
    return {app_label: sorted(names) for app_label, names in sorted(state.items())}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client tools (the same major version "
            "as the server, or newer)."
        )
    return found


def _libpq_environment() -> dict[str, str]:
    config = connection.settings_dict
    env = dict(os.environ)
    for key, variable in {
        "NAME": "PGDATABASE",
        "USER": "PGUSER",
        "PASSWORD": "PGPASSWORD",
        "HOST": "PGHOST",
        "PORT": "PGPORT",
    }.items():
        if config.get(key):
            env[variable] = str(config[key])
    for key, variable in LIBPQ_OPTIONS.items():
        if config.get("OPTIONS", {}).get(key):
            env[variable] = str(config["OPTIONS"][key])
    return env


def _run(command: list[str]) -> str:
    """Run a PostgreSQL client tool; its output, or BackupError with its message."""
    # Only a tool found by shutil.which with fixed options and paths this module made; the
    # connection (and its password) goes through libpq's environment, never the command line.
    completed = subprocess.run(  # noqa: S603
        command, env=_libpq_environment(), capture_output=True, text=True
    )
    if completed.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} failed (exit {completed.returncode}): "
            + (completed.stderr.strip() or "no message")
        )
    return completed.stdout


def _dump_database(target: Path) -> str:
    if connection.vendor == "postgresql":
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "-f",
                str(target),
            ]
        )
        return _run([_tool("pg_dump"), "--version"]).strip()
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        return f"sqlite3 online backup (SQLite {sqlite3.sqlite_version})"
    raise BackupError(f"Backups of a {connection.vendor} database are not supported.")


def _copy_out(name: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with default_storage.open(name, "rb") as source, open(target, "wb") as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            out.write(chunk)


def _inside(root: Path, name: str) -> Path:
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()) or path == root.resolve():
        raise BackupError(f"Unsafe storage name {name!r}.")
    return path


def make_backup(directory: Path) -> Result:
    """Write a backup of the database and every stored file into ``directory`` (new or empty)."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: choose a new folder.")
    directory.mkdir(parents=True, exist_ok=True)
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(f"Backups of a {connection.vendor} database are not supported.")
    database_file = DATABASE_FILES[connection.vendor]
    tool = _dump_database(directory / database_file)
    migrations = migration_state()

    root = directory / FILES
    root.mkdir()
    files = {}
    for name in storage_names():
        path = _inside(root, name)
        _copy_out(name, path)
        files[name] = {"sha256": sha256_of(path), "size": path.stat().st_size}
    missing = sorted(referenced_files() - set(files))

    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "django": django.get_version(),
        "database": {
            "vendor": connection.vendor,
            "file": database_file,
            "sha256": sha256_of(directory / database_file),
            "size": (directory / database_file).stat().st_size,
            "made_with": tool,
        },
        "migrations": migrations,
        "storage": {
            "backend": settings.STORAGES["default"]["BACKEND"],
            "bucket": getattr(storages["default"], "bucket_name", None),
            "copied": True,
        },
        "file_count": len(files),
        "files": files,
        "missing_files": missing,
    }
    # Written last: a folder without a manifest is an unfinished backup, and restore refuses it.
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return Result(database_file=database_file, files=len(files), missing_files=missing)


def read_manifest(directory: Path) -> dict:
    """The manifest of the backup in ``directory``, checked against this database, this code and
    the files beside it; any mismatch raises BackupError before anything is changed."""
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} does not hold a finished backup (no {MANIFEST}).")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as error:
        raise BackupError(f"{MANIFEST} is not valid JSON: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{MANIFEST} is not a backup of this kind (format {FORMAT!r} expected; backups "
            "made with dumpdata by older versions are read by those versions' restore)."
        )
    database = manifest["database"]
    if database.get("vendor") != connection.vendor:
        raise BackupError(
            f"The backup is of a {database.get('vendor')} database, this portal uses "
            f"{connection.vendor}: restore it into a {database.get('vendor')} database."
        )
    if database.get("file") != DATABASE_FILES[connection.vendor]:
        raise BackupError(f"Unexpected database file {database.get('file')!r} in {MANIFEST}.")
    database_path = directory / database["file"]
    if not database_path.is_file():
        raise BackupError(f"The database file {database['file']} is missing from the backup.")
    if sha256_of(database_path) != database.get("sha256"):
        raise BackupError(
            f"The database file {database['file']} does not match its checksum: the backup "
            "is damaged."
        )

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app_label}.{name}"
        for app_label, names in manifest.get("migrations", {}).items()
        for name in names
        if (app_label, name) not in known
    ]
    if unknown:
        raise BackupError(
            "The backup was made by a newer or different version of the portal: its migrations "
            f"{', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''} are unknown here. "
            "Install the version that made it first."
        )

    root = directory / FILES
    for name, entry in manifest.get("files", {}).items():
        path = _inside(root, name)
        if not path.is_file():
            raise BackupError(f"File {name!r} of the manifest is missing from the backup.")
        if sha256_of(path) != entry.get("sha256"):
            raise BackupError(f"File {name!r} does not match its checksum: the backup is damaged.")
    if manifest.get("file_count") != len(manifest.get("files", {})):
        raise BackupError(f"{MANIFEST} is inconsistent: file_count does not match its files.")
    return manifest


def database_holds_data() -> bool:
    """Whether the database already holds an office's data (any user account)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    if user_model._meta.db_table not in connection.introspection.table_names():
        return False
    with tenancy.cross_office():  # every office's: the backup is the installation's
        return user_model._default_manager.exists()


def _load_database(path: Path) -> None:
    if connection.in_atomic_block:
        raise BackupError("Restore cannot run inside a transaction.")
    if connection.vendor == "postgresql":
        # Our own idle connection must not hold anything pg_restore needs to drop.
        connection.close()
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                connection.settings_dict["NAME"],
                str(path),
            ]
        )
        connection.close()
    else:
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            # Replaces the whole database, pages and schema, in one step.
            source.backup(connection.connection)
        finally:
            source.close()


def restore_backup(directory: Path, *, replace: bool = False) -> Result:
    """Put the database and every file of the backup in ``directory`` back."""
    manifest = read_manifest(directory)
    if database_holds_data() and not replace:
        raise BackupError(
            "The database is not empty: restore into a new database, or pass --replace to "
            "overwrite all of its data with the backup."
        )
    _load_database(directory / manifest["database"]["file"])

    root = directory / FILES
    for name in manifest["files"]:
        if default_storage.exists(name):
            default_storage.delete(name)
        with open(_inside(root, name), "rb") as handle:
            saved = default_storage.save(name, File(handle))
        if saved != name:
            raise BackupError(f"Storage renamed {name!r} to {saved!r}.")
    # Cached rows (the office, sessions in the cache) belong to the data that was replaced.
    cache.clear()
    return Result(
        database_file=manifest["database"]["file"],
        files=len(manifest["files"]),
        missing_files=manifest.get("missing_files", []),
    )
