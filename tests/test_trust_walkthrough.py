"""Issue 19 as a new user would try it, end to end through the pages (R-SIG-1..5): staff publish
a nota van afrekening and send a volmacht for signing to two buyers; each previews and signs
with an SMS code sent now; the signed PDF validates with pyHanko (timestamped by a real
authority on loopback) and has its evidence page; the public verify page accepts the signed PDF
and the nota and refuses a copy with one changed digit."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from pypdf import PdfReader

from portal.documents import sealing
from portal.documents.models import Document
from portal.offices.models import Office
from portal.questionnaires.models import SigningRequest

from .signing_helpers import logged_in, page_url, scene, sign_by_sms
from .test_seal import IBAN, make_pdf, signature_status
from .tsa import tsa_fixture  # noqa: F401 - the "tsa" fixture
from .workspace_helpers import staff_http

pytestmark = pytest.mark.django_db


def verify(data: bytes) -> str:
    """The verdict of the public page on ``data``, as a visitor without a login gets it."""
    response = HttpClient().post(
        "/controleren/",
        {"code": "", "file": SimpleUploadedFile("ontvangen.pdf", data, "application/pdf")},
    )
    assert response.status_code == 200
    match = re.search(r'data-verdict="([a-z_]+)"', response.content.decode())
    assert match
    return match[1]


def downloaded(http: HttpClient, document: Document) -> bytes:
    response = http.get(f"/dossiers/{document.dossier_id}/documenten/{document.pk}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def changed_digit(data: bytes, start: int) -> bytes:
    """``data`` with the first ASCII digit from ``start`` on replaced by another one."""
    at = next(i for i in range(start, len(data)) if 0x30 <= data[i] <= 0x39)
    other = b"1" if data[at : at + 1] != b"1" else b"2"
    return data[:at] + other + data[at + 1 :]


def test_publish_sign_validate_and_verify_R_SIG_1_R_SIG_2_R_SIG_3_R_SIG_5(
    tsa, django_capture_on_commit_callbacks
):
    """R-SIG-1, R-SIG-2, R-SIG-3, R-SIG-5: the issue's "done when", through the workspace, the
    client's pages and the public verify page."""
    s = scene()
    office = Office.current()
    trust = [sealing.seal_certificate(office), tsa.certificate]
    workspace = staff_http(s.staff)

    # Staff publish the nota van afrekening (with the account number to pay to).
    response = workspace.post(
        f"/kantoor/dossiers/{s.dossier.pk}/publiceren/",
        {
            "kind": "document",
            "title": "Nota van afrekening",
            "files": [SimpleUploadedFile("nota.pdf", make_pdf(), "application/pdf")],
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    nota = Document.objects.get(dossier=s.dossier, title="Nota van afrekening")

    # ... and send the volmacht (a published PDF) for signing to both buyers.
    volmacht = s.document
    response = workspace.post(
        f"/kantoor/dossiers/{s.dossier.pk}/ondertekenverzoek/",
        {
            "signing-document": volmacht.pk,
            "signing-signers": [s.anna.pk, s.bram.pk],
            "signing-explanation": "Graag beiden tekenen.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    request = SigningRequest.objects.get()

    for buyer in (s.anna, s.bram):
        http = logged_in(buyer)
        # The nota as the buyer downloads it: sealed, timestamped, accepted by the verify page.
        nota_copy = downloaded(http, nota)
        status = signature_status(nota_copy, trust=trust)
        assert status.bottom_line and status.timestamp_validity is not None
        assert verify(nota_copy) == "issued"
        forged = nota_copy.replace(IBAN.encode(), IBAN[:-1].encode() + b"1")
        assert forged != nota_copy
        assert verify(forged) == "not_issued"

        # Previewed in the portal (pages rendered on the server, images only), then signed.
        sign_page = http.get(page_url(request, buyer)).content.decode()
        viewer = f"/dossiers/{s.dossier.pk}/documenten/{volmacht.pk}/bekijken/"
        assert viewer in sign_page
        with django_capture_on_commit_callbacks(execute=True):
            http.get(viewer)  # the first view queues the rendering (run here as the worker)
        assert "Pagina 1 van 2" in http.get(viewer).content.decode()
        assert http.get(viewer + "1/")["Content-Type"].startswith("image/")
        with django_capture_on_commit_callbacks(execute=True):
            assert sign_by_sms(http, page_url(request, buyer)).status_code == 302

    request.refresh_from_db()
    assert request.status == SigningRequest.Status.COMPLETED
    signed = request.signed_document
    assert signed is not None and signed.kind == Document.Kind.SUPPLIED

    # The signed PDF, as the first buyer finds it under "Door mij aangeleverd".
    http = logged_in(s.anna)
    assert signed.title in http.get(f"/dossiers/{s.dossier.pk}/aangeleverd/").content.decode()
    data = downloaded(http, signed)
    status = signature_status(data, trust=trust)
    assert status.intact and status.valid and status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.timestamp_validity is not None and status.timestamp_validity.valid
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) == 3  # the volmacht's two pages and the evidence page
    # One seal only: the volmacht's own (made over another file) is not carried along.
    signature_widgets = [
        annot.get_object()
        for page in pages
        for annot in page.get("/Annots") or []
        if annot.get_object().get("/FT") == "/Sig"
    ]
    assert len(signature_widgets) == 1
    evidence = pages[2].extract_text()
    for text in ("Anna de Vries", "anna@example.test", "Bram Jansen", "bram@example.test"):
        assert text in evidence

    # The verify page accepts the signed PDF and refuses a copy with one changed digit.
    assert verify(data) == "issued"
    forged = changed_digit(data, len(data) // 2)
    assert len(forged) == len(data) and forged != data
    assert verify(forged) == "not_issued"
    assert not signature_status(forged, trust=trust).bottom_line
