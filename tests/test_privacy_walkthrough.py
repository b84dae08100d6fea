"""Issue 20 as a new user would try it, through the pages (R-RET-1, R-RET-2, R-RET-3): a client
downloads "Mijn gegevens" and finds everything; staff close the dossier and read when its copies
go; past the period the daily sweep empties it and leaves a content-free audit record; staff
then erase the client, and nothing of the client is left on the office's pages."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client as HttpClient
from PIL import Image

from portal.accounts.models import Client, User
from portal.audit.models import AuditEntry
from portal.documents import services as documents
from portal.documents.models import Document
from portal.messaging import services as messaging
from portal.messaging.models import Message
from portal.retention.tasks import apply_retention

from .factories import DossierFactory, StaffFactory, StatusFactory, UserFactory, grant
from .pdfs import minimal_pdf
from .workspace_helpers import staff_http

pytestmark = pytest.mark.django_db

NAME, EMAIL = "Jan Modaal", "jan.modaal@example.test"


def jpeg() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (20, 12), (90, 90, 90)).save(image, "JPEG")
    return image.getvalue()


def logged_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_export_close_expire_and_erase_R_RET_1_R_RET_2_R_RET_3(run):
    """R-RET-1, R-RET-2, R-RET-3: the issue's "done when", end to end."""
    staff = StaffFactory()
    done = StatusFactory(name="Afgerond", closes_dossier=True)
    dossier = DossierFactory(number="2026-0420", description="Levering Kerkstraat 3")
    client = UserFactory(full_name=NAME, email=EMAIL)
    grant(dossier, client.client)
    with time_machine.travel("2026-02-02 10:00 +0100", tick=False):
        letter = documents.publish_document(
            dossier=dossier,
            kind=Document.Kind.CORRESPONDENCE,
            title="Brief over de levering",
            file=ContentFile(minimal_pdf("Brief"), name="brief-levering.pdf"),
            by=staff,
        )
        supplied = documents.supply_document(
            dossier=dossier,
            file=ContentFile(jpeg(), name="paspoort.jpg"),
            title="Paspoort",
            by=client,
        )
        messaging.send_message(
            dossier=dossier,
            sender=client,
            subject="Sleutels",
            body="Wanneer krijgen wij de sleutels?",
        )
    stored = [letter.file.name, supplied.file.name]

    # "Mijn gegevens downloaden": one ZIP with the letter, the client's file and the message.
    http = logged_in(client)
    run(http.post, "/mijn-gegevens/downloaden/", follow=True)
    link = re.search(
        r'href="(/mijn-gegevens/downloaden/\d+/)"', http.get("/mijn-gegevens/").content.decode()
    )
    assert link
    response = http.get(link[1])
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert any(name.endswith("brief-levering.pdf") for name in names)
    assert any(name.endswith("paspoort.jpg") for name in names)
    texts = b"".join(archive.read(name) for name in names if name.endswith(".txt"))
    assert b"Wanneer krijgen wij de sleutels?" in texts
    assert any(name.endswith("account.json") for name in names)
    assert EMAIL.encode() in archive.read(next(n for n in names if n.endswith("account.json")))

    # Staff close the dossier and read when its portal copies go (the default periods).
    workspace = staff_http(staff)
    with time_machine.travel("2026-03-10 10:00 +0100", tick=False):
        workspace.post(
            f"/kantoor/dossiers/{dossier.pk}/wijzigen/",
            {"description": dossier.description, "status": done.pk, "handler": ""},
        )
    dossier.refresh_from_db()
    assert dossier.closed_at is not None
    page = workspace.get(f"/kantoor/dossiers/{dossier.pk}/").content.decode()
    assert "Afgesloten op 10 maart 2026" in page
    assert "wordt verwijderd op" in page.lower()

    # The day before the first period ends nothing goes; past the longest, everything has.
    with time_machine.travel("2026-06-09 12:00 +0200", tick=False):
        apply_retention()
    assert Document.objects.filter(pk=supplied.pk).exists()
    with time_machine.travel("2027-03-11 12:00 +0100", tick=False):
        apply_retention()
    assert not Document.objects.filter(dossier=dossier).exists()
    assert not Message.objects.filter(dossier=dossier).exists()
    assert not any(default_storage.exists(name) for name in stored)
    removed = AuditEntry.objects.filter(action="retention.removed", dossier=dossier)
    assert removed.count() >= 3  # correspondence, supplied, messages
    for entry in removed:
        recorded = f"{entry.target} {entry.data}"
        for content in ("Brief over de levering", "paspoort", "Sleutels", "sleutels"):
            assert content not in recorded
    with time_machine.travel("2027-03-11 12:00 +0100", tick=False):
        # A year on: the staff member logs in again (sessions do not last that long).
        workspace = staff_http(staff)
        page = workspace.get(f"/kantoor/dossiers/{dossier.pk}/").content.decode()
    assert "verwijderd vanaf" in page.lower()

    # The client asks to be forgotten: staff erase the client; the dossier is closed, no hold.
    client_pk = client.client_id
    response = workspace.post(f"/kantoor/klanten/{client_pk}/wissen/")
    assert response.status_code == 302
    assert not Client.objects.filter(pk=client_pk).exists()
    assert not User.objects.filter(email=EMAIL).exists()
    assert http.get("/mijn-gegevens/").status_code == 302  # the session ended with the account
    for url in (f"/kantoor/dossiers/{dossier.pk}/", "/kantoor/klanten/", "/kantoor/"):
        page = workspace.get(url).content.decode()
        assert NAME not in page and EMAIL not in page
    assert AuditEntry.objects.filter(action="client.erased").count() == 1
