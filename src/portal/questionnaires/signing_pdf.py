"""The signed PDF of a signing request (R-SIG-5), made in a task once every signer has signed:
the original pages, then an evidence page (each signer's name, account, time, method, address
and the document's SHA-256 as signed, the request's id), supplied to the dossier ("Door mij
aangeleverd") with the office's seal over the whole (``supply_document(seal=True)``).

Idempotent: the request's row is locked and a signed document already made is kept."""

from __future__ import annotations

import ctypes
import io
from datetime import UTC, datetime

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.documents import services as document_services
from portal.documents.models import Document
from portal.offices.models import Office

from .models import Signer, SigningRequest
from .pdf import FONT, fit_title, new_document
from .signals import signing_completed


def _moment(value: datetime) -> str:
    """Local time with its zone, and UTC: unambiguous for anyone reading the page later."""
    local = timezone.localtime(value)
    return f"{local:%Y-%m-%d %H:%M:%S %Z} ({value.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ})"


def evidence_page(request: SigningRequest, signers: list[Signer], document: Document) -> bytes:
    """The evidence page as a one-page (or longer) PDF, in the active language."""
    office = Office.current()
    pdf = new_document()
    pdf.set_title(_("Evidence of signing"))
    pdf.set_author(office.name)
    pdf.set_creator("Klantportaal")
    pdf.add_page()
    width = pdf.epw
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(width, 5.5, office.name)
    pdf.ln(2)
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(width, 8, _("Evidence of signing"))
    pdf.ln(2)
    pdf.set_font(FONT, "", 10)
    lines = [
        _("Document: %(title)s (%(name)s)")
        % {"title": document.title, "name": document.original_name},
        _("Dossier: %(number)s %(description)s")
        % {"number": request.dossier.number, "description": request.dossier.description},
        _("Signing request: %(id)s") % {"id": request.pk},
        _("SHA-256 of the document: %(hash)s") % {"hash": document.sha256},
    ]
    for line in lines:
        pdf.multi_cell(width, 5.5, line)
    pdf.ln(2)
    pdf.multi_cell(
        width,
        5.5,
        _(
            "The pages before this one are the document as it was signed. Each signer read it "
            "in the client portal and confirmed the signature with a second factor of their "
            "own account at the moment of signing."
        ),
    )
    for signer in signers:
        pdf.ln(4)
        pdf.set_font(FONT, "B", 12)
        pdf.multi_cell(width, 6.5, signer.name or signer.email)
        pdf.set_font(FONT, "", 10)
        rows = [
            _("Account: %(email)s") % {"email": signer.email},
            _("Signed at: %(moment)s")
            % {"moment": _moment(signer.signed_at) if signer.signed_at else "—"},
            _("Confirmed with: %(method)s") % {"method": signer.get_method_display()},
            _("IP address: %(ip)s") % {"ip": signer.ip or "—"},
            _("SHA-256 of the document signed: %(hash)s") % {"hash": signer.document_sha256},
        ]
        for row in rows:
            pdf.multi_cell(width, 5.5, row)
    return bytes(pdf.output())


def combine(original: bytes, evidence: bytes) -> bytes:
    """The original's pages followed by the evidence page's, as one new PDF (pypdfium2). The
    original's own seal does not come along: a signature covers the bytes of the file it was
    made in, so copied into another it would only show as broken; the signed PDF gets a seal of
    its own over the whole."""
    combined = pdfium.PdfDocument.new()
    try:
        for data in (original, evidence):
            part = pdfium.PdfDocument(data)
            try:
                combined.import_pages(part)
            finally:
                part.close()
        for index in range(len(combined)):
            _remove_signature_widgets(combined[index])
        out = io.BytesIO()
        combined.save(out)
    finally:
        combined.close()
    return out.getvalue()


def _remove_signature_widgets(page: pdfium.PdfPage) -> None:
    """Drop the signature fields' widgets (a seal's visible stamp) from ``page``."""
    for n in reversed(range(pdfium_c.FPDFPage_GetAnnotCount(page.raw))):
        annot = pdfium_c.FPDFPage_GetAnnot(page.raw, n)
        try:
            signature = (
                pdfium_c.FPDFAnnot_GetSubtype(annot) == pdfium_c.FPDF_ANNOT_WIDGET
                and _name(annot, b"FT") == "Sig"
            )
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
        if signature:
            pdfium_c.FPDFPage_RemoveAnnot(page.raw, n)


def _name(annot, key: bytes) -> str:
    """The value of ``key`` in ``annot``'s dictionary as text (pdfium reads names as text)."""
    size = pdfium_c.FPDFAnnot_GetStringValue(annot, key, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFAnnot_GetStringValue(
        annot, key, ctypes.cast(buffer, ctypes.POINTER(pdfium_c.FPDF_WCHAR)), size
    )
    return buffer.raw[: size - 2].decode("utf-16-le")


def file_name(document: Document) -> str:
    stem = slugify(document.title) or "document"
    return f"{stem}-ondertekend.pdf"


def store_signed_pdf(request_pk: int) -> int | None:
    """Make the signed PDF of a completed request and supply it to the dossier, at most once.
    Returns the signed document's pk (None while the request is not completed)."""
    with transaction.atomic():
        request = (
            SigningRequest.objects.select_for_update(of=("self",))
            .select_related("dossier", "document")
            .filter(pk=request_pk)
            .first()
        )
        if request is None or request.status != SigningRequest.Status.COMPLETED:
            return None
        if request.signed_document_id is not None:
            return request.signed_document_id
        document = request.document
        signers = list(Signer.objects.filter(request=request).order_by("position", "pk"))
        with document.file.open("rb") as stream:
            original = stream.read()
        with override("nl"):
            evidence = evidence_page(request, signers, document)
            title = fit_title(_("Signed: %(title)s") % {"title": document.title})
        # supply_document(seal=True) seals the whole, once, and records its hash and code.
        signed = document_services.supply_document(
            dossier=request.dossier,
            file=ContentFile(combine(original, evidence)),
            title=title,
            name=file_name(document),
            by=None,
            seal=True,
        )
        request.signed_document = signed
        request.save(update_fields=["signed_document", "updated_at"])
        transaction.on_commit(
            lambda: signing_completed.send(sender=SigningRequest, request=request)
        )
    return signed.pk
