"""Backup and restore (issue 8, deployment): a round trip of the database and every stored
file, into an empty database and empty storage."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.documents import services as documents
from portal.documents.models import Document
from portal.dossiers.models import Dossier
from portal.messaging import services as messaging
from portal.messaging.models import Message

from .factories import PASSWORD, DossierFactory, StaffFactory, UserFactory, grant

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_issue_8(tmp_path):
    """Everything comes back: users (who can log in with their password), dossiers, access,
    documents with byte-identical files, messages with their attachments, the audit trail."""
    build_office()
    before = {
        "users": User.objects.count(),
        "dossiers": Dossier.objects.count(),
        "documents": Document.objects.count(),
        "messages": Message.objects.count(),
        "audit": AuditEntry.objects.count(),
    }
    contents = {d.file.name: d.file.read() for d in Document.objects.all()}
    target = tmp_path / "backup"
    call_command("backup", str(target), stdout=io.StringIO())
    manifest = json.loads((target / "manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(contents)

    # A new, empty database and empty storage.
    call_command("flush", interactive=False, verbosity=0)
    for name in contents:
        default_storage.delete(name)
    assert not User.objects.exists()

    call_command("restore", str(target), stdout=io.StringIO())

    after = {
        "users": User.objects.count(),
        "dossiers": Dossier.objects.count(),
        "documents": Document.objects.count(),
        "messages": Message.objects.count(),
        "audit": AuditEntry.objects.count(),
    }
    assert after == before
    for name, content in contents.items():
        with default_storage.open(name, "rb") as handle:
            assert handle.read() == content
    owner = User.objects.get(email="jan@example.test")
    assert Dossier.objects.visible_to(owner).get().number == "2026.0142"
    assert Message.objects.get().attachments.get().original_name == "paspoort.txt"
    assert owner.check_password(PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_damaged_backup_and_a_database_in_use_issue_8(tmp_path):
    """A file that does not match its checksum stops the restore before the database is
    touched; a database that already holds users is never overwritten."""
    build_office()
    target = tmp_path / "backup"
    call_command("backup", str(target), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(target), stdout=io.StringIO())

    call_command("flush", interactive=False, verbosity=0)
    name = next(iter(json.loads((target / "manifest.json").read_text())["files"]))
    (target / "files" / name).write_bytes(b"tampered")
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(target), stdout=io.StringIO())
    assert not User.objects.exists()


def test_backup_refuses_a_folder_in_use_issue_8(tmp_path, db):
    """A backup never mixes with files already in its folder."""
    (tmp_path / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path), stdout=io.StringIO())
