"""The office's electronic seal on the PDFs it publishes and the portal makes (R-SIG-1), and the
short verify code printed on it (R-SIG-2).

``seal_pdf`` adds a PAdES signature (pyHanko, ``/ETSI.CAdES.detached``) covering the whole file,
as an incremental update, with a visible stamp on the first page that names the office and
carries the document's verify code and the address of the verify page. With ``SEAL_TSA_URL``
set, the signature carries an RFC 3161 timestamp from that authority.

The key and certificate come from a PKCS#12 file: the office's own (``SEAL_PKCS12_PATH_<office
id>`` with ``SEAL_PKCS12_PASSPHRASE_<office id>``) or the installation's
(``SEAL_PKCS12_PATH`` with ``SEAL_PKCS12_PASSPHRASE``). Without either (the embedded mode, the
tests) a self-signed test seal is made once and kept under ``VAR_DIR/seal/``; its certificate's
name, the stamp and the verify page all say "TEST SEAL - not valid".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import os
import secrets
import tempfile
import threading
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509 as crypto_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.files.errors import UploadRejected

if TYPE_CHECKING:
    from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
    from pyhanko.sign.signers import SimpleSigner

    from portal.offices.models import Office

log = logging.getLogger("portal.seal")

#: The verify code's letters: no 0/O, 1/I/L or U/V pairs a reader could confuse.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 8

TEST_SEAL_NAME = "TEST SEAL - not valid"
SEAL_FIELD = "KlantportaalSeal"


class SealError(UploadRejected):
    """The PDF could not be sealed (malformed, encrypted, locked by an earlier signature, or the
    timestamp authority did not answer): ``str()`` is the message for the publisher. An
    ``UploadRejected``: every page and the API that publish a file already show it, and
    nothing is stored."""


def new_verify_code() -> str:
    """A random verify code (8 letters of ``CODE_ALPHABET``: 29^8, about 5 * 10^11 codes)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """The code as printed and shown: ``K7QF-2M9X``."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def normalise_code(text: str) -> str | None:
    """A typed code as stored, or None when it cannot be one. Spaces and dashes are ignored,
    lower case is read as upper case, and the letters a reader confuses with the alphabet's
    (O for 0 is not in it, so O and 0 are refused rather than guessed)."""
    code = "".join(ch for ch in text.upper() if ch not in " -\u2010\u2011\u2013\t")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


@dataclass(frozen=True)
class SealKey:
    signer: SimpleSigner
    certificate: asn1_x509.Certificate
    is_test: bool


_keys: dict[tuple[str, float], SealKey] = {}
_lock = threading.Lock()


def configured_pkcs12(office: Office) -> tuple[Path, str] | None:
    """The PKCS#12 file and passphrase of ``office``'s seal, or None (the test seal)."""
    per_office = settings.SEAL_PKCS12_BY_OFFICE.get(office.pk)
    if per_office is not None:
        return Path(per_office[0]), per_office[1]
    if settings.SEAL_PKCS12_PATH:
        return Path(settings.SEAL_PKCS12_PATH), settings.SEAL_PKCS12_PASSPHRASE
    return None


def test_seal_path() -> Path:
    """Where the test seal is kept: under VAR_DIR, or, where VAR_DIR is read-only (e.g. with
    S3 storage), in the system's temporary folder."""
    path = Path(settings.VAR_DIR) / "seal" / "test-seal.p12"
    if path.exists():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return Path(tempfile.gettempdir()) / "klantportaal-seal" / "test-seal.p12"
    if not os.access(path.parent, os.W_OK):
        return Path(tempfile.gettempdir()) / "klantportaal-seal" / "test-seal.p12"
    return path


def _make_test_seal(path: Path) -> None:
    """A self-signed RSA certificate for sealing, named as a test seal, as an unencrypted
    PKCS#12 file (it protects nothing: it is no one's seal). Written beside and linked into
    place, so that processes starting at once end up with one and the same seal."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = crypto_x509.Name(
        [
            crypto_x509.NameAttribute(NameOID.COMMON_NAME, TEST_SEAL_NAME),
            crypto_x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Klantportaal (test)"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        crypto_x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(crypto_x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(crypto_x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            crypto_x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        TEST_SEAL_NAME.encode(), key, certificate, None, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
        handle.write(data)
    try:
        os.chmod(handle.name, 0o600)
        os.link(handle.name, path)  # fails if another process was first: theirs is kept
    except FileExistsError:
        pass
    finally:
        os.unlink(handle.name)


def seal_key(office: Office) -> SealKey:
    """The signer of ``office``'s seal, loaded once per file (and again when it changes)."""
    from pyhanko.sign.signers import SimpleSigner  # noqa: PLC0415 - see _sign

    configured = configured_pkcs12(office)
    if configured is None:
        path, passphrase, is_test = test_seal_path(), "", True
        if not path.exists():
            _make_test_seal(path)
    else:
        (path, passphrase), is_test = configured, False
    try:
        cache_key = (str(path), path.stat().st_mtime)
    except OSError as exc:
        raise ImproperlyConfigured(f"The seal's PKCS#12 file cannot be read: {path}") from exc
    with _lock:
        cached = _keys.get(cache_key)
        if cached is not None:
            return cached
        signer = SimpleSigner.load_pkcs12(str(path), passphrase=passphrase.encode() or None)
        if signer is None or signer.signing_cert is None:
            raise ImproperlyConfigured(
                f"The seal's PKCS#12 file holds no key and certificate, or the passphrase is "
                f"wrong: {path}"
            )
        key = SealKey(signer=signer, certificate=signer.signing_cert, is_test=is_test)
        _keys[cache_key] = key
        return key


def seal_certificate(office: Office) -> asn1_x509.Certificate:
    """The certificate ``office``'s documents are sealed with (for validators and the tests)."""
    return seal_key(office).certificate


def verify_url(office: Office) -> str:
    """The address of ``office``'s verify page, as printed on its documents."""
    return office.base_url + reverse("document_verify")


#: Letters NFKD does not take apart into a Latin-1 letter and an accent.
_NO_DECOMPOSITION = str.maketrans(
    {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Œ": "OE", "œ": "oe"}
)


def _plain(text: str) -> str:
    """The stamp's standard font (Courier, WinAnsi) shows Latin-1 only: other letters lose
    their accents, anything else becomes "?"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept).encode("latin-1", "replace").decode("latin-1")


def stamp_lines(office: Office, code: str, *, is_test: bool) -> list[str]:
    """The text of the visible stamp (Dutch and English: the PDF is read outside the portal,
    in either language)."""
    lines = [
        f"Elektronisch gezegeld door / Electronically sealed by {office.name}",
        f"Controleren / Verify: {verify_url(office)}  code {format_code(code)}",
    ]
    if is_test:
        lines.insert(0, f"{TEST_SEAL_NAME} - test-zegel, niet geldig")
    return [_plain(line) for line in lines]


def seal_pdf(data: bytes, *, office: Office, code: str | None = None) -> bytes:
    """``data`` sealed with ``office``'s seal (R-SIG-1): a PAdES signature over the whole file,
    timestamped when ``SEAL_TSA_URL`` is set, with a visible stamp carrying ``code`` (a new
    one if None) and the verify page's address. Raises ``SealError`` with a message for the
    publisher if the PDF cannot be sealed."""
    code = code or new_verify_code()
    key = seal_key(office)
    return _sign(
        data,
        key=key,
        lines=stamp_lines(office, code, is_test=key.is_test),
        office=office,
        field_name=f"{SEAL_FIELD}-{code}",
    )


def _timestamper() -> Any:
    if not settings.SEAL_TSA_URL:
        return None
    from pyhanko.sign.timestamps.requests_client import (  # noqa: PLC0415 - see _sign
        RequestsHTTPTimeStamper,
    )

    return RequestsHTTPTimeStamper(settings.SEAL_TSA_URL, timeout=settings.SEAL_TSA_TIMEOUT)


def _sign(data: bytes, *, key: SealKey, lines: list[str], office: Office, field_name: str) -> bytes:
    """A field of its own per seal (named by the code): a PDF sealed before, e.g. downloaded
    from the portal and published again, is sealed once more, not refused."""
    # pyHanko takes over half a second to import: only a process that seals pays for it, not
    # every web worker that imports the document services.
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: PLC0415
    from pyhanko.pdf_utils.text import TextBoxStyle  # noqa: PLC0415
    from pyhanko.sign import fields, signers  # noqa: PLC0415
    from pyhanko.stamp import TextStampStyle  # noqa: PLC0415

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        if writer.prev.encrypted:
            raise SealError(_("This PDF is encrypted or password-protected and cannot be sealed."))
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            name=(TEST_SEAL_NAME + " - " if key.is_test else "") + office.name,
            reason="Uitgegeven via het klantenportaal / Issued through the client portal",
        )
        style = TextStampStyle(
            stamp_text="\n".join(line.replace("%", "%%") for line in lines),
            text_box_style=TextBoxStyle(font_size=6),
            border_width=1,
            background=None,
        )
        field = fields.SigFieldSpec(sig_field_name=field_name, on_page=0, box=(14, 6, 440, 40))
        signer = signers.PdfSigner(
            meta,
            signer=key.signer,
            timestamper=_timestamper(),
            stamp_style=style,
            new_field_spec=field,
        )
        output = _outside_event_loop(lambda: signer.sign_pdf(writer))
    except SealError:
        raise
    except Exception as exc:
        if settings.SEAL_TSA_URL and _is_timestamp_failure(exc):
            log.warning("sealing failed: the timestamp authority did not answer (%s)", exc)
            raise SealError(
                _("The timestamp service did not answer, so the PDF was not sealed. Try again.")
            ) from exc
        log.info("sealing refused a PDF: %s: %s", type(exc).__name__, exc)
        raise SealError(
            _("This PDF cannot be sealed: it is damaged or not a valid PDF. Nothing was saved.")
        ) from exc
    return output.getvalue()


def _outside_event_loop(work: Callable[[], Any]) -> Any:
    """pyHanko's synchronous API runs an event loop of its own (``asyncio.run``), which a
    thread already running one refuses (an ASGI server's, a browser driver's): there the work
    runs in a thread of its own. It touches no database connection."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _is_timestamp_failure(exc: BaseException) -> bool:
    from pyhanko.sign.general import SigningError  # noqa: PLC0415 - see _sign
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError  # noqa: PLC0415

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimestampRequestError) or (
            isinstance(seen, SigningError) and "timestamp" in str(seen).lower()
        ):
            return True
        if type(seen).__module__.startswith(("requests", "urllib3")):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
