"""Documents in a dossier: staff publish (R-OFF-3), the client sees them in the right tab with
counts and unread marks (R-DOC-1, R-DOC-2, R-DOS-4), downloads them through the authorised view
only (R-DOC-1..3), and opening marks them read for that user only (R-DOC-4); every publish,
supply and download is in the audit trail (R-X-1)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from portal.audit.models import AuditEntry
from portal.documents import services
from portal.documents.models import Document, DocumentRead
from portal.documents.signals import document_published
from portal.files.uploads import UploadRejected
from portal.offices.models import Office

from .factories import DossierFactory, StaffFactory, UserFactory, grant
from .pdfs import PDF
from .workspace_helpers import verify_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(db):
    Office.current()
    staff = StaffFactory(email="notaris@office.test", staff_role="administrator")
    owner = UserFactory(email="koper@example.test")
    dossier = DossierFactory(description="Levering woning Dorpsstraat 5")
    grant(dossier, owner.client)
    return staff, owner, dossier


def body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def tab_counts(html: str) -> dict[str, tuple[str, str]]:
    """slug → (total, unread) as shown on the tabs."""
    found = {}
    for slug, inner in re.findall(r'/dossiers/\d+/([a-z]+)/"[^>]*>(.*?)</a>', html):
        total = re.search(r'tab-count">\((\d+)\)', inner)
        unread = re.search(r'tab-unread"[^>]*>(\d+)', inner)
        found[slug] = (total.group(1) if total else "", unread.group(1) if unread else "0")
    return found


def test_staff_publish_client_sees_downloads_marks_clear_R_OFF_3_R_DOC_1_R_DOC_2_R_DOC_4(
    setting, client, django_capture_on_commit_callbacks
):
    """Done-when of the documents issue: staff publish a letter and a draft deed in the workspace;
    the client sees them in the right tabs with unread marks, downloads them, marks clear; a
    second client cannot reach them."""
    staff, owner, dossier = setting
    admin = HttpClient()
    admin.force_login(staff)
    verify_second_factor(admin)
    events = []
    document_published.connect(
        lambda sender, document, **kw: events.append(document.pk),
        weak=False,
        dispatch_uid="test-events",
    )
    try:
        for kind, title, name in [
            ("correspondence", "Brief over de levering", "brief.pdf"),
            ("document", "Concept-akte van levering", "concept akte.pdf"),
        ]:
            with django_capture_on_commit_callbacks(execute=True):
                response = admin.post(
                    f"/kantoor/dossiers/{dossier.pk}/publiceren/",
                    {
                        "kind": kind,
                        "title": title,
                        "files": [SimpleUploadedFile(name, PDF, content_type="text/html")],
                    },
                )
            assert response.status_code == 302, body(response)[:2000]
    finally:
        document_published.disconnect(dispatch_uid="test-events")
    letter = Document.objects.get(kind="correspondence")
    deed = Document.objects.get(kind="document")
    assert events == [letter.pk, deed.pk]
    assert deed.original_name == "concept akte.pdf"
    assert deed.content_type == "application/pdf"  # from the content, not the browser's claim
    assert deed.size > len(PDF)  # sealed (R-SIG-1): the seal is appended to the file
    assert not deed.file.name.endswith(".pdf") and "concept" not in deed.file.name
    assert AuditEntry.objects.filter(action="document.published", actor=staff).count() == 2

    client.force_login(owner)
    page = client.get(f"/dossiers/{dossier.pk}/")
    html = body(page)
    assert "Brief over de levering" in html and "Concept-akte" not in html
    assert tab_counts(html)["correspondentie"] == ("1", "1")
    assert tab_counts(html)["documenten"] == ("1", "1")
    assert tab_counts(html)["aangeleverd"] == ("0", "0")
    assert "unread-badge" in html

    documents_tab = body(client.get(f"/dossiers/{dossier.pk}/documenten/"))
    assert "Concept-akte van levering" in documents_tab and "Brief over" not in documents_tab

    download = client.get(f"/dossiers/{dossier.pk}/documenten/{deed.pk}/download/")
    assert download.status_code == 200
    downloaded = b"".join(download.streaming_content)
    assert downloaded.startswith(PDF) and len(downloaded) == deed.size
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    assert AuditEntry.objects.filter(action="document.downloaded", actor=owner).count() == 1

    html = body(client.get(f"/dossiers/{dossier.pk}/"))
    assert tab_counts(html)["documenten"] == ("1", "0")
    assert tab_counts(html)["correspondentie"] == ("1", "1")

    # Read for that user only.
    other_account = UserFactory(
        email="partner@example.test", client=owner.client, is_main_account=False
    )
    partner = HttpClient()
    partner.force_login(other_account)
    assert tab_counts(body(partner.get(f"/dossiers/{dossier.pk}/")))["documenten"] == ("1", "1")

    # A second client cannot reach them by any URL.
    stranger = HttpClient()
    stranger.force_login(UserFactory(email="vreemde@example.test"))
    for document in (letter, deed):
        url = f"/dossiers/{dossier.pk}/documenten/{document.pk}/download/"
        assert stranger.get(url).status_code == 404


def test_document_of_another_dossier_is_404_R_DOS_6(setting, client):
    """R-DOS-6: a document id of another dossier, under a dossier the client may see, is 404;
    so is a made-up id or a storage path."""
    _staff, owner, dossier = setting
    other = DossierFactory()
    foreign = services.publish_document(
        dossier=other, kind="document", title="Andermans akte", file=ContentFile(PDF, "a.pdf")
    )
    client.force_login(owner)
    assert (
        client.get(f"/dossiers/{dossier.pk}/documenten/{foreign.pk}/download/").status_code == 404
    )
    assert client.get(f"/dossiers/{dossier.pk}/documenten/999999/download/").status_code == 404
    assert client.get(f"/dossiers/{dossier.pk}/documenten/{foreign.file.name}/").status_code == 404
    assert client.get("/media/" + foreign.file.name).status_code == 404


@pytest.mark.parametrize(
    ("name", "ascii_part"),
    [
        ('offerte "definitief".pdf', 'filename="offerte'),
        ("akte\r\nSet-Cookie: x=y.pdf", "filename="),
        ("Überdracht café – 2026.pdf", "filename*=utf-8''"),
    ],
)
def test_download_names_are_encoded_safely_R_DOC_1(setting, client, name, ascii_part):
    """R-DOC-1: quotes, line breaks and Unicode in file names never break the header."""
    _staff, owner, dossier = setting
    document = services.publish_document(
        dossier=dossier, kind="correspondence", title="Brief", file=ContentFile(PDF), name=name
    )
    client.force_login(owner)
    response = client.get(f"/dossiers/{dossier.pk}/documenten/{document.pk}/download/")
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert header.count('"') in (0, 2)  # no quote of the name breaks out of the value
    assert ascii_part in header
    assert "Set-Cookie" not in response.headers or "x=y" not in response.headers["Set-Cookie"]
    if "Überdracht" in name:
        assert quote(document.original_name) in header


def test_supplied_documents_show_under_door_mij_aangeleverd_R_DOC_3(setting, client):
    """R-DOC-3: what the client supplied is listed under "Door mij aangeleverd" and can be
    downloaded at any time."""
    _staff, owner, dossier = setting
    document = services.supply_document(
        dossier=dossier,
        file=ContentFile(b"kopie paspoort\n"),
        name="paspoort.txt",
        by=owner,
        title="Kopie paspoort",
    )
    assert document.kind == Document.Kind.SUPPLIED
    assert AuditEntry.objects.filter(action="document.supplied", actor=owner).exists()
    client.force_login(owner)
    html = body(client.get(f"/dossiers/{dossier.pk}/aangeleverd/"))
    assert "Kopie paspoort" in html
    response = client.get(f"/dossiers/{dossier.pk}/documenten/{document.pk}/download/")
    assert b"".join(response.streaming_content) == b"kopie paspoort\n"


def test_refused_file_is_never_stored_R_X_3(setting, tmp_path, settings):
    """R-X-3: a refused file leaves no row and no file in storage."""
    _staff, _owner, dossier = setting
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    with pytest.raises(UploadRejected):
        services.publish_document(
            dossier=dossier,
            kind="document",
            title="x",
            file=ContentFile(b"<html><script>alert(1)</script></html>"),
            name="akte.pdf",
        )
    assert not Document.objects.exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_the_admin_does_not_publish_R_OFF_3(setting):
    """R-OFF-3 / R-X-3: publishing is daily work, done in the workspace through
    ``publish_document`` (which reports a refused file there); the admin lists documents and
    has no publish form."""
    staff, _owner, dossier = setting
    admin = HttpClient()
    admin.force_login(staff)
    verify_second_factor(admin)
    response = admin.post(
        "/beheer/documents/document/add/",
        {
            "dossier": dossier.pk,
            "kind": "document",
            "title": "x",
            "upload": SimpleUploadedFile("akte.pdf", PDF),
        },
    )
    assert response.status_code == 403
    assert not Document.objects.exists()
    assert admin.get("/beheer/documents/document/").status_code == 200


def test_mark_read_is_idempotent_R_DOC_4(setting):
    """R-DOC-4: reading twice is one read."""
    _staff, owner, dossier = setting
    document = services.publish_document(
        dossier=dossier, kind="document", title="Akte", file=ContentFile(PDF)
    )
    services.mark_read(document=document, user=owner)
    services.mark_read(document=document, user=owner)
    assert DocumentRead.objects.filter(document=document, user=owner).count() == 1


@pytest.mark.parametrize("slug", ["correspondentie", "documenten", "aangeleverd"])
def test_tab_query_count_is_fixed_at_1_and_500_documents_R_DOS_4(setting, client, slug):
    """Every page asserts its query count stays fixed as data grows: each document tab with 1
    and with 500 documents (some read), R-DOS-4 counts included."""
    _staff, owner, dossier = setting
    kind = {
        "correspondentie": "correspondence",
        "documenten": "document",
        "aangeleverd": "supplied",
    }[slug]
    client.force_login(owner)

    def make(n: int) -> None:
        docs = Document.objects.bulk_create(
            Document(
                dossier=dossier,
                kind=k,
                title=f"Stuk {i}",
                original_name=f"{i}.pdf",
                size=10,
                content_type="application/pdf",
                sha256="0" * 64,
                file=f"documents/{k}{i}",
            )
            for i in range(n)
            for k in ("correspondence", "document", "supplied")
        )
        DocumentRead.objects.bulk_create(DocumentRead(document=d, user=owner) for d in docs[::3])

    def measure() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/dossiers/{dossier.pk}/{slug}/")
        assert response.status_code == 200
        return len(captured.captured_queries)

    make(1)
    small = measure()
    Document.objects.all().delete()
    make(500)
    large = measure()
    # 7 for the page itself (documents and messages counted; the paginator reuses the tab's
    # count, issue 9), +1 for the open actions on every page (R-HOME-3, one query).
    assert small == large == 9
    assert Document.objects.filter(kind=kind).count() == 500
