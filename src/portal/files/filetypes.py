"""The content type of an upload, from its content, against the allow-list (R-X-3).

The file's bytes decide, never the name or the browser's Content-Type. The name only narrows:
an old Office file (OLE2) is Word or Excel by its extension, and plain text must not be named
as another format. Accepted:

- PDF (``%PDF-`` at the start);
- JPEG, PNG (APNG included) and HEIC/HEIF photos;
- Word and Excel: ``.docx``/``.xlsx`` by the main part declared in the zip's
  ``[Content_Types].xml`` (macro-enabled files and files with a VBA project are refused), and
  ``.doc``/``.xls`` as OLE2 files named so (the two can't be told apart reliably from the bytes;
  other OLE2 files, e.g. password-protected ``.docx``, Outlook ``.msg`` or ``.ppt``, are refused);
- OpenDocument text and spreadsheet (``.odt``/``.ods``) by the zip's ``mimetype`` entry;
- plain text: UTF-8 (or Windows-1252) without control characters or NUL bytes.

The signatures are checked here, exactly, rather than with a general sniffing library: an
allow-list needs only a few of them, and such libraries guess (``filetype`` takes any text
starting with "BM" for a bitmap).

Zip files are inspected with ``zipfile`` on the file object: only the central directory and
at most a few small entries are read (and decompressed with a cap), never the whole file, and
an archive with an unreasonable number of entries is refused before it is opened.

Polyglots. An image whose first 8 KB contain HTML or script markers (``<html``, ``<script``,
``<svg``, ``<iframe`` …) is refused, and so is text with such markers (an HTML page named
``.pdf`` or ``.txt``). Downloads are served as attachments with ``nosniff`` and the stored
content type, so a PNG+HTML polyglot accepted as ``image/png`` would not be rendered as HTML by
a browser; but a real photo never carries such markup, and refusing it costs nothing while
protecting a copy of the file that leaves the portal (saved, renamed, opened by other
software). PDFs and Office files are not searched for markers: their own formats legitimately
contain XML and script-like text, and they are never shown as HTML.
"""

from __future__ import annotations

import codecs
import re
import struct
import zipfile
import zlib

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
HEIC = "image/heic"
HEIF = "image/heif"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLS = "application/vnd.ms-excel"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
TEXT = "text/plain"

ALLOWED = frozenset({PDF, JPEG, PNG, HEIC, HEIF, DOC, DOCX, XLS, XLSX, ODT, ODS, TEXT})

#: How many bytes from the start decide the type.
HEAD_BYTES = 8192

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_BY_EXTENSION = {"doc": DOC, "dot": DOC, "xls": XLS, "xlt": XLS}

#: Extensions a plain-text upload may have ("" = none).
TEXT_EXTENSIONS = frozenset({"", "txt", "text", "csv", "tsv", "log", "md"})

#: Main parts of the Office Open XML documents we accept, by their content type.
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
#: What makes an Office Open XML file carry macros.
OOXML_MACRO_MARKERS = ("macroenabled", "vbaproject", "vnd.ms-office.activex")

ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_CENTRAL_DIRECTORY = 4 * 1024 * 1024
ZIP_MAX_CONTENT_TYPES = 1024 * 1024

HEIC_BRANDS = frozenset({"heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"})
HEIF_BRANDS = frozenset({"mif1", "msf1", "heif"})
AVIF_BRANDS = frozenset({"avif", "avis"})

_HTML_MARKERS = (
    rb"<\s*(?:script|html|body|iframe|frameset|svg|object|embed|applet|form|base)\b"
    rb"|<!doctype\s+html|<\?php|\bjavascript:"
)
#: Markup that must not appear at the start of an image.
IMAGE_MARKUP = re.compile(_HTML_MARKERS, re.IGNORECASE)
#: Markup that must not appear at the start of plain text (more: HTML fragments and XML).
TEXT_MARKUP = re.compile(
    _HTML_MARKERS + rb"|<\s*(?:head|meta|style|link|img)\b|<\?xml", re.IGNORECASE
)
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def extension(name: str) -> str:
    stem, dot, ext = (name or "").rpartition(".")
    return ext.lower() if dot and stem else ""


def detect_content_type(file, *, name: str = "", head: bytes | None = None) -> str | None:
    """The allowed content type of ``file`` (a seekable file object), or None if it is not
    allowed. ``head`` is its first ``HEAD_BYTES`` if already read; ``name`` is the (sanitised)
    file name, used only to narrow (see the module's docstring). The file's position is left
    anywhere: callers rewind."""
    if head is None:
        file.seek(0)
        head = file.read(HEAD_BYTES)
    head = bytes(head[:HEAD_BYTES])
    if not head:
        return None
    if head.startswith(ZIP_MAGIC):
        return _zip_type(file)
    if head.startswith(OLE2_MAGIC):
        return OLE2_BY_EXTENSION.get(extension(name))
    if head.startswith(b"%PDF-"):
        return PDF
    image = _image_type(head)
    if image is not None:
        return None if IMAGE_MARKUP.search(head) else image
    return _text_type(head, name)


def _image_type(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return _isobmff_image_type(head)


def _isobmff_image_type(head: bytes) -> str | None:
    """HEIC or HEIF by the brands of the leading ``ftyp`` box (AVIF and video are refused)."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    size = struct.unpack(">I", head[:4])[0]
    if size < 16 or size > len(head) or size % 4:
        return None
    major = head[8:12].decode("latin-1")
    brands = {major} | {head[i : i + 4].decode("latin-1") for i in range(16, size - 3, 4)}
    if brands & AVIF_BRANDS:
        return None
    if major in HEIC_BRANDS or (major in HEIF_BRANDS and brands & HEIC_BRANDS):
        return HEIC
    if major in HEIF_BRANDS:
        return HEIF
    return None


def _text_type(head: bytes, name: str) -> str | None:
    if extension(name) not in TEXT_EXTENSIONS:
        return None
    if b"\x00" in head or TEXT_MARKUP.search(head):
        return None
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        # Not final: a character cut at the end of the head is still text.
        text = decoder.decode(head, final=False)
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1252")
        except UnicodeDecodeError:
            return None
    if _TEXT_CONTROLS.search(text):
        return None
    return TEXT


def _zip_type(file) -> str | None:
    """DOCX, XLSX, ODT or ODS by the zip's own declarations; any other zip is refused."""
    if not _zip_is_reasonable(file):
        return None
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100).decode("ascii", "replace").strip()
                return mimetype if mimetype in (ODT, ODS) else None
            if "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as entry:
                    declared = entry.read(ZIP_MAX_CONTENT_TYPES + 1)
                if len(declared) > ZIP_MAX_CONTENT_TYPES:
                    return None
                return _ooxml_type(declared.decode("utf-8", "replace"), names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError):
        return None
    except (RuntimeError, NotImplementedError, ValueError):
        return None  # encrypted entries, unknown compression, malformed headers
    return None


_OVERRIDE = re.compile(r"<(?:\w+:)?Override\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _ooxml_type(content_types: str, names: set[str]) -> str | None:
    lowered = content_types.lower()
    if any(marker in lowered for marker in OOXML_MACRO_MARKERS):
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return None
    found = set()
    for match in _OVERRIDE.finditer(content_types):
        attributes = {k: v1 or v2 for k, v1, v2 in _ATTRIBUTE.findall(match.group(1))}
        kind = OOXML_MAIN_PARTS.get(attributes.get("ContentType", "").strip())
        part = attributes.get("PartName", "").lstrip("/")
        if kind and part in names:
            found.add(kind)
    return found.pop() if len(found) == 1 else None


def _zip_is_reasonable(file) -> bool:
    """Read the end-of-central-directory record and refuse archives whose central directory
    is too large to load (zipfile keeps every entry in memory) or uses ZIP64."""
    try:
        file.seek(0, 2)
        size = file.tell()
        tail_size = min(size, 22 + 65535)
        file.seek(size - tail_size)
        tail = file.read(tail_size)
    except (OSError, ValueError):
        return False
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return False
    entries, directory_size = struct.unpack("<HI", tail[at + 10 : at + 16])
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        return False  # ZIP64: no office document needs it
    return 0 < entries <= ZIP_MAX_ENTRIES and directory_size <= ZIP_MAX_CENTRAL_DIRECTORY
