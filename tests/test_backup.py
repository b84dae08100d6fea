"""Backup and restore with the database's own tools (issue 8; issue 16 item 10): ``pg_dump`` /
``pg_restore`` on PostgreSQL, SQLite's online backup API in the embedded mode, plus every stored
file, checked by a manifest. These tests run against the database of the test run: SQLite in
``make test``, PostgreSQL in CI's second run (DATABASE_URL)."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.documents import services as documents
from portal.documents.models import Document
from portal.dossiers.models import Dossier
from portal.messaging import services as messaging
from portal.messaging.models import Message

from .factories import PASSWORD, DossierFactory, StaffFactory, UserFactory, grant
from .pdfs import PDF

# The first bytes of what each database's own tool writes (not Django fixtures).
DATABASE_MAGIC = {"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test its own, empty media folder, so a backup holds only this test's files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media", "base_url": None},
        },
    }
    return tmp_path / "media"


def build_office():
    staff = StaffFactory(email="notaris@office.test")
    owner = UserFactory(email="jan@example.test", full_name="Jan de Vries")
    dossier = DossierFactory(number="2026.0142", description="Levering woning")
    grant(dossier, owner.client)
    documents.publish_document(
        dossier=dossier, kind="document", title="Concept akte", file=ContentFile(PDF), name="a.pdf"
    )
    staged = documents.stage_upload(
        dossier=dossier, file=ContentFile(b"Kopie paspoort\n"), name="paspoort.txt", by=owner
    )
    messaging.send_message(
        dossier=dossier, sender=owner, subject="Paspoort", body="Bijgevoegd.", attachments=[staged]
    )
    return staff, owner, dossier


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "dossiers": Dossier.objects.count(),
        "documents": Document.objects.count(),
        "messages": Message.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def stored() -> dict[str, bytes]:
    """Every file in the storage with its content."""
    found = {}

    def walk(folder):
        folders, files = default_storage.listdir(folder)
        for name in files:
            path = f"{folder}/{name}" if folder else name
            with default_storage.open(path, "rb") as handle:
                found[path] = handle.read()
        for sub in folders:
            walk(f"{folder}/{sub}" if folder else sub)

    walk("")
    return found


def backup(target):
    call_command("backup", str(target), stdout=io.StringIO())
    return json.loads((target / "manifest.json").read_text())


@pytest.mark.django_db(transaction=True)
def test_round_trip_brings_back_changed_and_deleted_data_and_files_issue_16_item_10(tmp_path):
    """R-DEP (deployment), issue 16 item 10: the database is written by its own tool (a SQLite
    database file or a pg_dump archive, not fixtures) with a manifest (vendor, migration state,
    SHA-256 per file); after data is changed and deleted and files are overwritten and deleted,
    ``restore --replace`` brings every row and every byte back, and passwords still work."""
    _, owner, dossier = build_office()
    before, files = counts(), stored()
    assert len(files) == 2
    target = tmp_path / "backup"
    manifest = backup(target)

    assert manifest["database"]["vendor"] == connection.vendor
    database_file = target / manifest["database"]["file"]
    assert database_file.read_bytes().startswith(DATABASE_MAGIC[connection.vendor])
    # No fixtures beside it: the database file, the files and the manifest only.
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [database_file.name, "files", "manifest.json"]
    )
    assert "0001_initial" in manifest["migrations"]["dossiers"]
    assert manifest["file_count"] == 2
    assert {name: entry["sha256"] for name, entry in manifest["files"].items()} == {
        name: hashlib.sha256(content).hexdigest() for name, content in files.items()
    }

    # Damage after the backup: rows changed, added and deleted; files overwritten and deleted.
    Dossier.objects.filter(pk=dossier.pk).update(description="Gewijzigd")
    Document.objects.filter(title="Concept akte").delete()
    AuditEntry.objects.all().delete()
    UserFactory(email="later@example.test")
    owner.set_password("Iets-anders-99")
    owner.save()
    first, second = sorted(files)
    default_storage.delete(first)
    with open(default_storage.path(second), "wb") as handle:
        handle.write(b"overwritten")

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(target), stdout=io.StringIO())
    call_command("restore", str(target), "--replace", stdout=io.StringIO())

    assert counts() == before
    assert stored() == files
    assert Dossier.objects.get().description == "Levering woning"
    assert not User.objects.filter(email="later@example.test").exists()
    owner = User.objects.get(email="jan@example.test")
    assert owner.check_password(PASSWORD)
    assert Dossier.objects.visible_to(owner).get().number == "2026.0142"
    assert Message.objects.get().attachments.get().original_name == "paspoort.txt"


@pytest.mark.django_db(transaction=True)
def test_restore_into_an_empty_database_and_storage_issue_16_item_10(tmp_path, media):
    """Issue 16 item 10: a new, empty database and an empty media folder get everything back
    without --replace."""
    build_office()
    before, files = counts(), stored()
    target = tmp_path / "backup"
    backup(target)

    call_command("flush", interactive=False, verbosity=0)
    for name in files:
        default_storage.delete(name)
    assert not User.objects.exists()

    call_command("restore", str(target), stdout=io.StringIO())
    assert counts() == before
    assert stored() == files


def tamper_manifest(target, change):
    path = target / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def damage_file(target):
    name = next(iter(json.loads((target / "manifest.json").read_text())["files"]))
    (target / "files" / name).write_bytes(b"tampered")


def damage_database(target):
    manifest = json.loads((target / "manifest.json").read_text())
    with open(target / manifest["database"]["file"], "ab") as handle:
        handle.write(b"\x00")


def other_vendor(target):
    def change(manifest):
        manifest["database"]["vendor"] = (
            "sqlite" if connection.vendor == "postgresql" else "postgresql"
        )

    tamper_manifest(target, change)


def unknown_migration(target):
    tamper_manifest(target, lambda m: m["migrations"]["dossiers"].append("9999_from_the_future"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "damage, message",
    [
        (damage_file, "does not match its checksum"),
        (damage_database, "database file .* does not match its checksum"),
        (other_vendor, "The backup is of a .* database, this portal uses"),
        (unknown_migration, "newer or different version .*9999_from_the_future"),
        (lambda target: (target / "manifest.json").unlink(), "does not hold a finished backup"),
    ],
    ids=["file", "database", "vendor", "migration", "no-manifest"],
)
def test_restore_refuses_a_backup_that_does_not_match_issue_16_item_10(tmp_path, damage, message):
    """Issue 16 item 10: a damaged file or database dump, a backup of the other database vendor,
    one made by a newer version, or an unfinished one is refused with a clear message, even with
    --replace, and nothing is changed."""
    build_office()
    target = tmp_path / "backup"
    backup(target)
    Dossier.objects.update(description="Na de backup")
    damage(target)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(target), "--replace", stdout=io.StringIO())
    assert Dossier.objects.get().description == "Na de backup"


def test_backup_refuses_a_folder_in_use_issue_8(tmp_path, db):
    """A backup never mixes with files already in its folder."""
    (tmp_path / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path), stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_round_trip_with_files_in_s3_issue_16_item_10(tmp_path, settings, monkeypatch):
    """Issue 16 item 10: with S3_BUCKET set the objects are copied out of the bucket through the
    same storage API, and a restore puts deleted and overwritten objects back byte for byte."""
    from portal.settings import s3_storage

    from .s3 import moto_s3

    with moto_s3() as s3:
        bucket = s3.create_bucket()
        for name, value in s3.env(bucket).items():
            monkeypatch.setenv(name, value)
        settings.STORAGES = {**settings.STORAGES, "default": s3_storage()}
        build_office()
        files = stored()
        assert len(files) == 2
        target = tmp_path / "backup"
        manifest = backup(target)
        assert manifest["storage"]["backend"] == "storages.backends.s3.S3Storage"
        assert manifest["storage"]["bucket"] == bucket
        assert manifest["file_count"] == 2

        first, second = sorted(files)
        default_storage.delete(first)
        s3.client().put_object(Bucket=bucket, Key=second, Body=b"overwritten")
        assert stored() != files

        call_command("restore", str(target), "--replace", stdout=io.StringIO())
        assert stored() == files
