"""The public verify page "Document controleren" (R-SIG-2): a file or its code, checked against
the exact SHA-256 the office recorded; nothing about other documents; rate-limited; audited
without the file; the file never stored."""

from __future__ import annotations

import json
import os
import re

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.audit.models import AuditEntry
from portal.core import tenancy
from portal.documents import sealing, services
from portal.documents.models import Document
from portal.offices.models import Office, OfficeHost

from .factories import DossierFactory, StaffFactory
from .test_seal import IBAN, make_pdf

ISSUED = re.compile(
    r"Uitgegeven door (?P<office>[^<]+) op (?P<date>\d{1,2} \w+ \d{4}) via het klantenportaal, "
    r"ongewijzigd"
)
NOT_ISSUED = "Niet door ons uitgegeven, of gewijzigd"
URL = "/controleren/"


@pytest.fixture
def published(db) -> tuple[Document, bytes]:
    """A sealed PDF the office published, as the client downloaded it."""
    dossier = DossierFactory(description="Levering woning Dorpsstraat 12")
    document = services.publish_document(
        dossier=dossier,
        kind=Document.Kind.DOCUMENT,
        title="Nota van afrekening Dorpsstraat 12",
        file=ContentFile(make_pdf(), name="nota.pdf"),
        name="nota.pdf",
        by=StaffFactory(),
    )
    with document.file.open("rb") as handle:
        return document, handle.read()


def check(client, *, data: bytes | None = None, code: str = "", host: str = "testserver"):
    fields: dict = {"code": code}
    if data is not None:
        fields["file"] = SimpleUploadedFile("ontvangen.pdf", data, "application/pdf")
    return client.post(URL, fields, HTTP_HOST=host)


def verdict(response) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    match = re.search(r'data-verdict="([a-z_]+)"', page)
    assert match, page
    return match[1]


def test_page_is_public_and_linked_from_the_login_page_R_SIG_2(client, db):
    """R-SIG-2: no login needed; the login page links to it."""
    response = client.get(URL)
    assert response.status_code == 200
    assert "Document controleren" in response.content.decode()
    assert f'href="{URL}"' in client.get("/inloggen/").content.decode()


def test_intact_file_is_issued_unchanged_R_SIG_2(client, published):
    """R-SIG-2: the downloaded sealed PDF: "Uitgegeven door <office> op <date> via het
    klantenportaal, ongewijzigd"."""
    document, data = published
    response = check(client, data=data)
    assert verdict(response) == "issued"
    found = ISSUED.search(response.content.decode())
    assert found and found["office"] == Office.current().name
    # Nothing else about the document: no title, no dossier, no file name.
    page = response.content.decode()
    for secret in ("Nota van afrekening", "Dorpsstraat", document.dossier.number, "nota.pdf"):
        assert secret not in page


def test_changed_file_is_refused_R_SIG_2(client, published):
    """R-SIG-2: one changed digit: "Niet door ons uitgegeven, of gewijzigd"."""
    _document, data = published
    forged = data.replace(IBAN.encode(), IBAN[:-1].encode() + b"1")
    response = check(client, data=forged)
    assert verdict(response) == "not_issued"
    assert NOT_ISSUED in response.content.decode()


def test_unknown_file_is_refused_R_SIG_2(client, published):
    """R-SIG-2: a file the office never issued."""
    assert verdict(check(client, data=b"iets anders\n")) == "not_issued"


def test_validly_sealed_but_not_on_record_is_refused_R_SIG_2(client, published):
    """R-SIG-2: a PDF carrying the office's own valid seal whose bytes are not on record (sealed
    outside the portal, or after a change): only exact recorded hashes count."""
    resealed = sealing.seal_pdf(make_pdf("Andere nota"), office=Office.current())
    assert verdict(check(client, data=resealed)) == "not_issued"


def test_code_shows_office_and_date_only_and_asks_for_the_file_R_SIG_2(client, published):
    """R-SIG-2: a code alone says the office issued a document with it on that date, asks for
    the file to prove it unchanged, and shows nothing else; typed loosely it still matches."""
    document, _data = published
    code = sealing.format_code(document.verify_code).lower().replace("-", " ")
    response = check(client, code=code)
    assert verdict(response) == "code_known"
    page = response.content.decode()
    assert f"Een document met deze code is uitgegeven door {Office.current().name} op" in page
    assert "Voeg ook het bestand toe" in page
    for secret in ("Nota van afrekening", "Dorpsstraat", document.dossier.number, "nota.pdf"):
        assert secret not in page


def test_code_and_file_must_be_the_same_document_R_SIG_2(client, published):
    """R-SIG-2: with a code and a file, the file must be the document of that code."""
    document, data = published
    assert verdict(check(client, data=data, code=document.verify_code)) == "issued"
    other = services.publish_document(
        dossier=document.dossier,
        kind=Document.Kind.DOCUMENT,
        title="Ander stuk",
        file=ContentFile(b"ander stuk\n", name="ander.txt"),
        name="ander.txt",
    )
    assert verdict(check(client, data=data, code=other.verify_code)) == "not_issued"


def test_wrong_and_malformed_codes_R_SIG_2(client, published):
    """R-SIG-2: an unknown code is "not issued"; something that cannot be a code gets a clear
    message and no lookup."""
    document, _data = published
    wrong = "".join(reversed(document.verify_code))
    assert wrong != document.verify_code
    assert verdict(check(client, code=wrong)) == "not_issued"
    response = check(client, code="K7QF-2M90")
    assert response.status_code == 200
    assert "Een code heeft acht letters en cijfers" in response.content.decode()
    assert "data-verdict" not in response.content.decode()
    response = check(client)
    assert "Kies het bestand, of typ de code" in response.content.decode()


def make_office(name: str, host: str) -> Office:
    with tenancy.cross_office():
        office = Office.objects.create(name=name)
        OfficeHost.objects.create(office=office, name=host, primary=True)
    return office


def test_another_offices_document_is_not_matched_R_SIG_2(client, published):
    """R-SIG-2, R-TEN-2: on another office's host, neither this office's file nor its code
    matches; the other office's page names the other office."""
    document, data = published
    make_office("Notariaat Tweede", "tweede.example")
    assert verdict(check(client, data=data, host="tweede.example")) == "not_issued"
    response = check(client, code=document.verify_code, host="tweede.example")
    assert verdict(response) == "not_issued"
    assert Office.current().name not in response.content.decode()


def test_no_enumeration_unknown_code_and_unknown_file_alike_R_SIG_2(client, published):
    """R-SIG-2: an unknown code and an unknown file get the same answer in the same number of
    queries; the answer does not depend on how many documents there are."""

    def answer(**kwargs) -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = check(client, **kwargs)
        page = response.content.decode()
        result = re.search(r'<div class="card verify-result".*?</div>', page, re.S)
        assert result
        return result[0], len(queries)

    by_code = answer(code="ZZZZ-ZZZZ")
    by_file = answer(data=b"onbekend\n")
    assert by_code == by_file
    document, _data = published
    for i in range(15):
        services.publish_document(
            dossier=document.dossier,
            kind=Document.Kind.DOCUMENT,
            title=f"Stuk {i}",
            file=ContentFile(f"stuk {i}\n".encode(), name="stuk.txt"),
            name="stuk.txt",
        )
    assert answer(code="ZZZZ-ZZZZ") == by_code
    assert answer(data=b"onbekend\n") == by_file


def test_rate_limited_per_address_R_SIG_2(client, published, settings):
    """R-SIG-2: checks per client address are limited (RATE_LIMIT_VERIFY_PER_ADDRESS)."""
    settings.RATE_LIMIT_VERIFY_PER_ADDRESS = "3/h"
    for _ in range(3):
        assert check(client, code="ZZZZ-ZZZZ").status_code == 200
    refused = check(client, code="ZZZZ-ZZZZ")
    assert refused.status_code == 429
    assert AuditEntry.objects.filter(action="rate_limited", data__scope="verify").exists()
    assert client.get(URL).status_code == 200  # reading the page is not counted


def test_audited_without_the_file_R_SIG_2(client, published):
    """R-SIG-2: every check is in the audit trail with what was checked, the typed code and the
    result, never the file, its name or its hash."""
    document, data = published
    check(client, data=data)
    check(client, data=b"geheime inhoud\n", code=document.verify_code)
    entries = list(AuditEntry.objects.filter(action="document.verified").order_by("pk"))
    assert [e.data["result"] for e in entries] == ["issued", "not_issued"]
    assert entries[1].data["code"] == document.verify_code
    assert entries[1].data["checked"] == "file and code"
    dumped = json.dumps([e.data for e in entries]) + "".join(e.target for e in entries)
    for secret in (document.sha256, "ontvangen.pdf", "geheime inhoud", "Nota van afrekening"):
        assert secret not in dumped


def test_uploaded_file_is_never_stored_R_SIG_2(client, published, settings, tmp_path):
    """R-SIG-2: the file is hashed while it is received: not in storage, not even as a
    temporary upload file (a 3 MB file, past the in-memory limit of Django's own handlers)."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    media = django_settings.MEDIA_ROOT

    def files() -> set[str]:
        return {os.path.join(d, f) for d, _dirs, names in os.walk(media) for f in names}

    before = files()
    big = os.urandom(3 * 1024 * 1024)
    assert verdict(check(client, data=big)) == "not_issued"
    assert files() == before
    assert list(tmp_path.iterdir()) == []


def test_test_seal_is_named_on_the_page_R_SIG_1(client, db):
    """R-SIG-1: while the installation uses the test seal, the verify page says so."""
    assert sealing.TEST_SEAL_NAME in client.get(URL).content.decode()


def test_answers_in_english_R_SIG_2(client, published):
    """R-SIG-2: the page and its answers in English for a visitor who chose English."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    _document, data = published
    page = check(client, data=data).content.decode()
    assert f"Issued by {Office.current().name} on " in page
    assert "through the client portal, unchanged" in page
    assert "Not issued by us, or changed" in check(client, data=b"x\n").content.decode()
    assert "Check a document" in client.get(URL).content.decode()
