"""The office's electronic seal (R-SIG-1): every PDF the office publishes, and every PDF the
portal makes, carries a PAdES seal that pyHanko's own validator accepts, over the whole file,
timestamped by a real RFC 3161 authority on loopback when one is configured."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.files.base import ContentFile
from fpdf import FPDF
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from portal.audit.models import AuditEntry
from portal.documents import sealing, services
from portal.documents.models import Document
from portal.files.errors import UploadRejected
from portal.offices.models import Office

from .factories import DossierFactory, StaffFactory, UserFactory, grant
from .tsa import tsa_fixture  # noqa: F401 - the "tsa" fixture

IBAN = "NL91ABNA0417164300"


def make_pdf(text: str = f"Nota van afrekening. Te betalen op {IBAN}.") -> bytes:
    """A small PDF whose text is stored uncompressed, so that a test can change one digit."""
    pdf = FPDF()
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def signature_status(data: bytes, *, trust: list[asn1_x509.Certificate]):
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    assert len(reader.embedded_signatures) == 1
    context = ValidationContext(trust_roots=trust, allow_fetching=False)
    return validate_pdf_signature(
        reader.embedded_signatures[0],
        signer_validation_context=context,
        ts_validation_context=context,
    )


def stamp_text(data: bytes) -> str:
    """The text drawn in the seal's visible stamp (its appearance stream)."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    field = reader.embedded_signatures[0].sig_field
    content = field["/AP"]["/N"].data.decode("latin-1")
    # The strings' octal escapes (pyHanko writes "-" as \055, "/" as \057) read back.
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), content)


@pytest.fixture
def staff(db):
    return StaffFactory(email="notaris@office.test")


@pytest.fixture
def dossier(db):
    return DossierFactory(description="Levering woning Dorpsstraat 12")


def publish(dossier, staff, data: bytes, name: str = "nota.pdf") -> Document:
    return services.publish_document(
        dossier=dossier,
        kind=Document.Kind.DOCUMENT,
        title="Nota van afrekening",
        file=ContentFile(data, name=name),
        name=name,
        by=staff,
    )


def stored(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def test_published_pdf_is_sealed_valid_and_covers_the_whole_file_R_SIG_1(dossier, staff):
    """R-SIG-1: a published PDF is stored sealed; pyHanko's validator, trusting the office's
    seal certificate, finds it valid, intact and covering the entire file; the recorded
    SHA-256 is the stored (sealed) file's; the stamp carries the verify code and page."""
    original = make_pdf()
    document = publish(dossier, staff, original)
    data = stored(document)
    assert data != original and data.startswith(original)  # an incremental update
    office = Office.current()
    status = signature_status(data, trust=[sealing.seal_certificate(office)])
    assert status.intact and status.valid and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.timestamp_validity is None  # no timestamp authority configured
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)
    text = stamp_text(data)
    assert sealing.format_code(document.verify_code) in text
    assert sealing.verify_url(office) in text
    assert sealing.TEST_SEAL_NAME in text
    entry = AuditEntry.objects.get(action="document.published")
    assert entry.data["sha256"] == document.sha256


def test_one_changed_digit_breaks_the_seal_R_SIG_1(dossier, staff):
    """R-SIG-1: one byte changed in a sealed PDF (a digit of the account number): the
    validator says the signature no longer holds."""
    data = stored(publish(dossier, staff, make_pdf()))
    assert data.count(IBAN.encode()) == 1
    forged = data.replace(IBAN.encode(), IBAN[:-1].encode() + b"1")
    assert len(forged) == len(data)
    status = signature_status(forged, trust=[sealing.seal_certificate(Office.current())])
    # The signed digest no longer matches the file: not intact, so not valid as a whole.
    assert not status.intact
    assert not status.bottom_line


def test_seal_by_another_key_is_not_trusted_R_SIG_1(dossier, staff, tmp_path, settings):
    """R-SIG-1: the validator trusts the office's certificate only: a PDF sealed with another
    key (here a configured PKCS#12 file) is intact but not trusted against the test seal."""
    settings.SEAL_PKCS12_PATH, settings.SEAL_PKCS12_PASSPHRASE = write_pkcs12(tmp_path, "Ander")
    data = stored(publish(dossier, staff, make_pdf()))
    settings.SEAL_PKCS12_PATH = ""
    status = signature_status(data, trust=[sealing.seal_certificate(Office.current())])
    assert status.intact and not status.trusted


def test_timestamped_by_a_real_authority_on_loopback_R_SIG_1(dossier, staff, tsa):
    """R-SIG-1: with SEAL_TSA_URL set, the seal carries an RFC 3161 timestamp fetched over
    HTTP from the authority; the validator checks it against the authority's certificate."""
    data = stored(publish(dossier, staff, make_pdf()))
    assert tsa.requests >= 1  # pyHanko asks once more to size the signature's space
    office = Office.current()
    status = signature_status(data, trust=[sealing.seal_certificate(office), tsa.certificate])
    assert status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid
    assert status.timestamp_validity.trusted


def test_timestamp_authority_down_refuses_and_saves_nothing_R_SIG_1(dossier, staff, settings):
    """R-SIG-1: a configured authority that does not answer: a clear error, nothing stored
    (no unstamped seal slips through)."""
    settings.SEAL_TSA_URL = "http://127.0.0.1:9/tsr"  # the discard port: nothing listens
    settings.SEAL_TSA_TIMEOUT = 2
    with pytest.raises(UploadRejected, match="tijdstempeldienst antwoordde niet"):
        publish(dossier, staff, make_pdf())
    assert not Document.objects.exists()


def test_malformed_pdf_is_refused_and_nothing_saved_R_SIG_1(dossier, staff):
    """R-SIG-1: a PDF that cannot be sealed: a clear message for the publisher, no row, no
    file in storage, no audit entry."""
    storage = Document._meta.get_field("file").storage
    before = (
        set(storage.listdir(f"office-{Office.current().pk}/documents")[1])
        if (storage.exists(f"office-{Office.current().pk}/documents"))
        else set()
    )
    broken = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\n%%EOF\n" + b"x" * 200
    with pytest.raises(sealing.SealError, match="kan niet worden verzegeld"):
        publish(dossier, staff, broken)
    assert not Document.objects.exists()
    assert not AuditEntry.objects.filter(action="document.published").exists()
    after = (
        set(storage.listdir(f"office-{Office.current().pk}/documents")[1])
        if (storage.exists(f"office-{Office.current().pk}/documents"))
        else set()
    )
    assert after == before


def test_other_files_are_recorded_by_hash_and_code_not_sealed_R_SIG_1(dossier, staff):
    """R-SIG-1: a published file that is not a PDF is stored as it is, with its SHA-256 and a
    verify code."""
    data = b"Akte van levering\n"
    document = publish(dossier, staff, data, name="akte.txt")
    assert stored(document) == data
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert sealing.normalise_code(document.verify_code) == document.verify_code


def test_client_uploads_are_never_sealed_portal_pdfs_are_R_SIG_1(dossier):
    """R-SIG-1: a client's PDF is kept byte for byte; ``supply_document(seal=True)`` (a PDF the
    portal made, e.g. a signed document) is sealed."""
    owner = UserFactory()
    grant(dossier, owner.client)
    original = make_pdf()
    own = services.supply_document(
        dossier=dossier, file=ContentFile(original, name="scan.pdf"), name="scan.pdf", by=owner
    )
    assert stored(own) == original
    made = services.supply_document(
        dossier=dossier,
        file=ContentFile(original, name="getekend.pdf"),
        name="getekend.pdf",
        by=owner,
        seal=True,
    )
    status = signature_status(stored(made), trust=[sealing.seal_certificate(Office.current())])
    assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE


def test_test_seal_is_named_as_such_R_SIG_1(db):
    """R-SIG-1: without a configured PKCS#12 file the seal is a self-signed test seal whose
    certificate says so."""
    certificate = sealing.seal_certificate(Office.current())
    assert certificate.subject.native["common_name"] == sealing.TEST_SEAL_NAME
    assert sealing.test_seal_path().exists()


def write_pkcs12(directory, name: str) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    passphrase = "geheim-" + name
    path = directory / f"{name}.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name.encode(),
            key,
            certificate,
            None,
            serialization.BestAvailableEncryption(passphrase.encode()),
        )
    )
    return str(path), passphrase


def test_configured_seal_per_office_and_installation_R_SIG_1(tmp_path, settings, db):
    """R-SIG-1: the seal comes from the PKCS#12 file and passphrase named in the environment:
    the office's own (SEAL_PKCS12_PATH_<id>) before the installation's (SEAL_PKCS12_PATH)."""
    office = Office.current()
    settings.SEAL_PKCS12_PATH, settings.SEAL_PKCS12_PASSPHRASE = write_pkcs12(tmp_path, "Kantoor")
    assert sealing.seal_certificate(office).subject.native["common_name"] == "Kantoor"
    settings.SEAL_PKCS12_BY_OFFICE = {office.pk: write_pkcs12(tmp_path, "Eigen")}
    key = sealing.seal_key(office)
    assert key.certificate.subject.native["common_name"] == "Eigen" and not key.is_test
    data = sealing.seal_pdf(make_pdf(), office=office, code="K7QF2M9X")
    assert sealing.TEST_SEAL_NAME not in stamp_text(data)
    assert "K7QF-2M9X" in stamp_text(data)
    assert signature_status(data, trust=[key.certificate]).bottom_line


def test_wrong_passphrase_is_a_configuration_error_R_SIG_1(tmp_path, settings, db):
    """R-SIG-1: a wrong passphrase is reported as such, not as a damaged PDF."""
    path, _passphrase = write_pkcs12(tmp_path, "Fout")
    settings.SEAL_PKCS12_PATH, settings.SEAL_PKCS12_PASSPHRASE = path, "verkeerd"
    with pytest.raises(Exception) as caught:
        sealing.seal_key(Office.current())
    assert "passphrase" in str(caught.value) or "PKCS#12" in str(caught.value)


def test_verify_codes_are_unambiguous_and_unique_per_office_R_SIG_2(dossier, staff):
    """R-SIG-2: every document gets a code of 8 letters from an alphabet without look-alikes,
    printed as XXXX-XXXX; typed in lower case or with spaces it is still found."""
    codes = {
        publish(dossier, staff, f"{i}\n".encode(), name=f"{i}.txt").verify_code for i in range(20)
    }
    assert len(codes) == 20
    for code in codes:
        assert len(code) == 8 and not set(code) & set("01ILOUV")
        assert sealing.normalise_code(sealing.format_code(code).lower()) == code
        assert sealing.normalise_code(" ".join(code)) == code
    assert sealing.normalise_code("K7QF-2M90") is None  # 0 is not in the alphabet


def test_staff_message_attachment_is_sealed_client_attachment_is_not_R_SIG_1(dossier, staff):
    """R-SIG-1: a PDF the office sends as a message attachment is correspondence it publishes:
    sealed when staged, and the document keeps the code printed in its stamp. A client's
    attachment is stored as it came."""
    from portal.messaging import services as messaging

    owner = UserFactory()
    grant(dossier, owner.client)
    original = make_pdf()
    staged = services.stage_upload(
        dossier=dossier, file=ContentFile(original, name="brief.pdf"), name="brief.pdf", by=staff
    )
    message = messaging.send_message(
        dossier=dossier, sender=staff, subject="Nota", body="Bijgaand.", attachments=[staged]
    )
    document = message.attachments.get()
    data = stored(document)
    status = signature_status(data, trust=[sealing.seal_certificate(Office.current())])
    assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert sealing.format_code(document.verify_code) in stamp_text(data)

    own = services.stage_upload(
        dossier=dossier, file=ContentFile(original, name="scan.pdf"), name="scan.pdf", by=owner
    )
    reply = messaging.send_message(
        dossier=dossier, sender=owner, subject="Re: Nota", body="Dank.", attachments=[own]
    )
    supplied = reply.attachments.get()
    assert stored(supplied) == original
    assert sealing.normalise_code(supplied.verify_code) == supplied.verify_code


def test_staff_attachment_that_cannot_be_sealed_is_refused_when_staged_R_SIG_1(dossier, staff):
    """R-SIG-1: a staff member's broken PDF is refused in the attachments step (nothing
    staged), not when the message is sent."""
    from portal.documents.models import StagedUpload

    with pytest.raises(sealing.SealError):
        services.stage_upload(
            dossier=dossier,
            file=ContentFile(b"%PDF-1.4\n1 0 obj<<>>endobj\n", name="kapot.pdf"),
            name="kapot.pdf",
            by=staff,
        )
    assert not StagedUpload.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_migration_gives_existing_documents_their_own_codes_R_SIG_2():
    """R-SIG-2: documents stored before the seal get a verify code each from the migration
    (unique per office); their SHA-256 was recorded from the start."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from portal.core import tenancy

    before, after = (
        ("documents", "0006_document_office_documentread_office_and_more"),
        (
            "documents",
            "0008_sealing",
        ),
    )

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([target])
        return executor.loader.project_state([target]).apps

    dossiers = []
    with tenancy.cross_office():
        offices = [Office.objects.create(name=f"Kantoor {i}") for i in range(2)]
    for office in offices:
        with tenancy.office_scope(office):
            dossiers.append(DossierFactory())
    try:
        old = migrate(before)
        old_document = old.get_model("documents", "Document")
        for dossier in dossiers:
            for i in range(3):
                old_document._base_manager.create(
                    office_id=dossier.office_id,
                    dossier_id=dossier.pk,
                    kind="document",
                    title=f"Stuk {i}",
                    original_name="stuk.txt",
                    size=1,
                    content_type="text/plain",
                    sha256=f"{i}" * 64,
                    file="office-x/documents/oud",
                )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    with tenancy.cross_office():
        rows = list(Document.objects.values_list("office_id", "verify_code"))
    assert len(rows) == 6 and len(set(rows)) == 6
    assert all(sealing.normalise_code(code) == code for _office, code in rows)
    assert after in MigrationExecutor(connection).loader.applied_migrations


def test_a_sealed_pdf_published_again_is_sealed_again_R_SIG_1(dossier, staff):
    """R-SIG-1: a PDF downloaded from the portal (sealed) and published again gets a second
    seal of its own, over the whole file, with the new document's code."""
    first = publish(dossier, staff, make_pdf())
    again = publish(dossier, staff, stored(first))
    data = stored(again)
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    assert len(reader.embedded_signatures) == 2
    context = ValidationContext(
        trust_roots=[sealing.seal_certificate(Office.current())], allow_fetching=False
    )
    status = validate_pdf_signature(reader.embedded_signatures[-1], context)
    assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert again.verify_code != first.verify_code


def test_encrypted_pdf_is_refused_with_its_reason_R_SIG_1(dossier, staff):
    """R-SIG-1: a password-protected PDF cannot be sealed: the publisher is told why."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt("geheim")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(sealing.SealError, match="versleuteld"):
        publish(dossier, staff, out.getvalue())
    assert not Document.objects.exists()


def test_pyhanko_signs_beside_a_running_event_loop_R_SIG_1():
    """R-SIG-1: pyHanko's signing runs an event loop of its own (``asyncio.run``), which a
    thread already running one refuses (a browser driver's, as in tests/browser); the seal's
    signing step then runs in a thread of its own. (The browser tests publish PDFs there.)"""

    async def sign() -> str:
        return "signed"

    def pyhanko_like() -> str:
        if asyncio.events._get_running_loop() is not None:  # as asyncio.run checks, first
            raise RuntimeError("asyncio.run() cannot be called from a running event loop")
        return asyncio.run(sign())

    async def in_a_running_loop() -> str:
        with pytest.raises(RuntimeError):
            pyhanko_like()  # what pyHanko met before
        return sealing._outside_event_loop(pyhanko_like)

    def scenario() -> tuple[str, str]:
        # In a thread of its own: the suite's own thread may run a loop (Playwright's).
        return asyncio.run(in_a_running_loop()), sealing._outside_event_loop(pyhanko_like)

    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(scenario).result() == ("signed", "signed")
