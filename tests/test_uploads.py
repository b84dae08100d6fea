"""Bad files (R-X-3): uploads are checked for size, type and name before anyone can download
them. The malware scan against a real clamd is in test_clamav.py."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import path
from django.utils import translation

from portal.files.upload_handlers import (
    LimitedUploadHandler,
    limit_upload_size,
    upload_refusals,
)
from portal.files.uploads import UploadRejected, check_upload, sanitise_filename

from .streaming import StreamedBody, file_pieces

NOT_ACCEPTED = "This type of file is not accepted."
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _no_scanner_in_english(settings, client):
    """No scanner (test_clamav.py tests it), the default limit, the English messages."""
    settings.CLAMAV_URL = ""
    settings.UPLOAD_MAX_BYTES = 50 * MB
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


# --- Files to try ---------------------------------------------------------------------------


def png(extra_chunks: bytes = b"") -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    pixels = chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + header + extra_chunks + pixels + chunk(b"IEND", b"")


def png_text_chunk(text: bytes) -> bytes:
    data = b"Comment\x00" + text
    crc = zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", crc)


JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\xff\xdb\x00\x43\x00"
    + bytes(range(1, 65))
    + b"\xff\xd9"
)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024 - 8)


def isobmff(major: bytes, *compatible: bytes) -> bytes:
    brands = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    ftyp = struct.pack(">I", 8 + len(brands)) + b"ftyp" + brands
    return ftyp + struct.pack(">I", 16) + b"meta" + bytes(8)


HEIC = isobmff(b"heic", b"mif1", b"heic")
HEIF = isobmff(b"mif1", b"mif1")
AVIF = isobmff(b"avif", b"mif1", b"avif")

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def ooxml(part: str, main_type: str, *, first: str = "[Content_Types].xml", extra=()) -> bytes:
    """A minimal Office Open XML package: content types, package relationships, main part."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main_type}"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/officeDocument" Target="{part}"/></Relationships>'
    )
    entries = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": rels,
        part: '<?xml version="1.0" encoding="UTF-8"?><document/>',
        **dict(extra),
    }
    order = [first] + [name for name in entries if name != first]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in order:
            archive.writestr(name, entries[name])
    return buffer.getvalue()


def opendocument(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:'
            'manifest:1.0" manifest:version="1.2"><manifest:file-entry '
            f'manifest:full-path="/" manifest:media-type="{mimetype}"/></manifest:manifest>',
        )
        archive.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?><content/>')
    return buffer.getvalue()


def plain_zip(**entries: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (entries or {"readme.txt": "hello"}).items():
            archive.writestr(name, text)
    return buffer.getvalue()


DOCX = ooxml("word/document.xml", WORD_MAIN)
XLSX = ooxml("xl/workbook.xml", EXCEL_MAIN)
ODT = opendocument("application/vnd.oasis.opendocument.text")
ODS = opendocument("application/vnd.oasis.opendocument.spreadsheet")
HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Factuur</title></head><body>Betaal hier</body></html>"
)
TEXT = "Geachte notaris,\n\nHierbij de gegevens voor de akte: café ‘t Hoekje, € 12.500.\n".encode()


def check(content: bytes, name: str):
    return check_upload(ContentFile(content, name=name))


def refused(content: bytes, name: str) -> str:
    with pytest.raises(UploadRejected) as caught:
        check(content, name)
    return str(caught.value)


# --- Types ----------------------------------------------------------------------------------

OOXML = "application/vnd.openxmlformats-officedocument."
ACCEPTED = [
    ("akte.pdf", PDF, "application/pdf"),
    ("foto.jpg", JPEG, "image/jpeg"),
    ("scan.png", png(), "image/png"),
    ("IMG_0001.HEIC", HEIC, "image/heic"),
    ("foto.heif", HEIF, "image/heif"),
    ("concept.doc", OLE2, "application/msword"),
    ("begroting.xls", OLE2, "application/vnd.ms-excel"),
    (
        "concept.docx",
        DOCX,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("begroting.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("brief.odt", ODT, "application/vnd.oasis.opendocument.text"),
    ("overzicht.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
    ("notitie.txt", TEXT, "text/plain"),
    ("notitie.txt", "café ".encode("cp1252") * 3, "text/plain"),
    ("README", b"\xef\xbb\xbfplain text with a BOM\r\n", "text/plain"),
    ("gegevens.csv", b"naam;bedrag\nJan;12,50\n", "text/plain"),
]


@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED, ids=lambda v: str(v)[:20])
def test_each_allowed_type_is_accepted_by_its_content_R_X_3(name, content, content_type):
    """R-X-3: every type on the allow-list is recognised from its bytes and accepted, with its
    size and SHA-256; the file comes back rewound."""
    checked = check(content, name)
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.name == name
    assert checked.file.read() == content


def test_content_decides_not_the_extension_R_X_3():
    """R-X-3: a PDF named .jpg is a PDF, a PNG named .pdf is a PNG."""
    assert check(PDF, "foto.jpg").content_type == "application/pdf"
    assert check(png(), "akte.pdf").content_type == "image/png"


def test_office_open_xml_is_recognised_whatever_the_entry_order_R_X_3():
    """R-X-3: Word and Excel files are zips; they are recognised by the main part declared in
    [Content_Types].xml, also when that entry is not the first (as some writers do)."""
    late = ooxml("word/document.xml", WORD_MAIN, first="word/document.xml")
    assert zipfile.ZipFile(io.BytesIO(late)).namelist()[0] == "word/document.xml"
    assert check(late, "x.docx").content_type.endswith("wordprocessingml.document")


def test_a_large_zip_is_recognised_without_reading_it_into_memory_R_X_3():
    """R-X-3: the zip is inspected through its central directory on the file object: checking
    a 6 MB Word file allocates far less than the file's size."""
    filler = os.urandom(6 * MB)
    docx = ooxml("word/document.xml", WORD_MAIN, extra={"word/media/image1.bin": filler})
    upload = TemporaryUploadedFile("groot.docx", "application/octet-stream", len(docx), None)
    upload.write(docx)
    del filler, docx
    tracemalloc.start()
    try:
        checked = check_upload(upload)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        upload.close()
    assert checked.content_type.endswith("wordprocessingml.document")
    assert peak < 2 * MB


REFUSED = [
    ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200)),
    ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200)),
    ("archief.zip", plain_zip()),
    ("archief.docx", plain_zip()),
    ("pagina.html", HTML_PAGE),
    ("tekening.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("tekening.txt", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
    ("macro.docm", ooxml("word/document.xml", WORD_MACRO_MAIN)),
    ("macro.docx", ooxml("word/document.xml", WORD_MAIN, extra={"word/vbaProject.bin": "x"})),
    ("leeg.docx", ooxml("word/document.xml", "application/xml")),
    ("template.ott", opendocument("application/vnd.oasis.opendocument.text-template")),
    ("dia.ppt", OLE2),
    ("beveiligd.docx", OLE2),  # a password-protected .docx is an OLE2 container
    ("bericht.msg", OLE2),
    ("foto.avif", AVIF),
    ("animatie.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(20)),
    ("data.bin", os.urandom(4096)),
    ("notitie.txt", b"text\x00with a NUL"),
    ("notitie.txt", "тест".encode("utf-16")),
    ("script.sh", b"#!/bin/sh\necho hello\n"),
]


@pytest.mark.parametrize(("name", "content"), REFUSED, ids=lambda v: str(v)[:20])
def test_disallowed_types_are_refused_with_the_message_R_X_3(name, content):
    """R-X-3: executables, plain zips, HTML, SVG, macro documents, other OLE2 and image
    formats, binary data and text named as something else are refused, with a message that
    says what is accepted."""
    message = refused(content, name)
    assert message.startswith(NOT_ACCEPTED)
    assert "PDF" in message and "Word" in message


@pytest.mark.parametrize(
    "content",
    [
        HTML_PAGE,
        b"\xef\xbb\xbf   \n<html><body><script>location='https://evil.test'</script></body></html>",
        b"<!-- factuur -->\n<HTML><BODY onload=alert(1)>",
        b"%PDX looks a bit like a PDF\n<script>alert(1)</script>",
    ],
)
def test_a_pdf_that_is_an_html_page_is_refused_R_X_3(content):
    """R-X-3: a `.pdf` that is an HTML page is refused (the content is not a PDF, and text with
    HTML markup is not accepted as plain text)."""
    assert refused(content, "factuur.pdf").startswith(NOT_ACCEPTED)
    assert refused(content, "factuur.txt").startswith(NOT_ACCEPTED)


def test_plain_text_named_as_another_format_is_refused_R_X_3():
    """R-X-3: text is accepted only under a text name, not as `.pdf` or `.docx`, so that what
    is downloaded is what its name says."""
    assert refused(b"Just some text.\n", "akte.pdf").startswith(NOT_ACCEPTED)
    assert refused(b"Just some text.\n", "akte.docx").startswith(NOT_ACCEPTED)
    assert check(b"Just some text.\n", "akte.txt").content_type == "text/plain"


@pytest.mark.parametrize(
    "polyglot",
    [
        png() + b"<html><script>alert(document.cookie)</script></html>",
        png(png_text_chunk(b"<html><body><script>alert(1)</script>")),
        png(png_text_chunk(b"<svg onload=alert(1)>")),
        JPEG[:-2] + b"<!DOCTYPE html><iframe src=//evil.test>" + b"\xff\xd9",
    ],
)
def test_an_image_with_html_in_it_is_refused_R_X_3(polyglot):
    """R-X-3: a PNG+HTML polyglot (a valid PNG header followed by `<html><script>`) is refused:
    images whose first 8 KB hold HTML or script markup are not accepted (see filetypes)."""
    assert polyglot.startswith((b"\x89PNG", b"\xff\xd8\xff"))
    assert refused(polyglot, "foto.png").startswith(NOT_ACCEPTED)


def test_a_zip_with_too_many_entries_is_refused_before_it_is_opened_R_X_3():
    """R-X-3: zipfile would keep every entry of the central directory in memory; an archive
    with more entries than any office document has is refused on its end record alone."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for number in range(10_001):
            archive.writestr(f"{number}", b"")
    assert refused(buffer.getvalue(), "veel.docx").startswith(NOT_ACCEPTED)


def test_a_broken_zip_is_refused_R_X_3():
    """R-X-3: a file that starts like a zip but is not one is refused, not an error."""
    assert refused(b"PK\x03\x04" + os.urandom(500), "kapot.docx").startswith(NOT_ACCEPTED)
    assert refused(DOCX[: len(DOCX) // 2], "half.docx").startswith(NOT_ACCEPTED)


# --- Size -----------------------------------------------------------------------------------


def test_an_empty_file_is_refused_R_X_3():
    """R-X-3: an empty file is refused with its own message."""
    assert refused(b"", "leeg.pdf") == "The file is empty."


def test_a_file_over_the_limit_is_refused_by_check_upload_R_X_3(settings):
    """R-X-3: one byte over UPLOAD_MAX_BYTES is refused, the limit itself is accepted; the
    refusal names the limit."""
    settings.UPLOAD_MAX_BYTES = 2048
    assert check(b"a" * 2048, "precies.txt").size == 2048
    message = refused(b"a" * 2049, "te-groot.txt")
    assert message == "The file is too large: at most 2.0\xa0KB is allowed."


def test_check_upload_reads_an_over_limit_file_in_chunks_R_X_3(settings, tmp_path):
    """R-X-3: check_upload stops at the limit and never holds the file in memory: a 20 MB file
    against a 1 MB limit allocates far less than 1 MB."""
    settings.UPLOAD_MAX_BYTES = 1 * MB
    big = tmp_path / "groot.pdf"
    with big.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(20 * MB)
    with big.open("rb") as handle:
        tracemalloc.start()
        try:
            with pytest.raises(UploadRejected, match="too large"):
                check_upload(File(handle))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 512 * 1024


# --- Names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("/var/www/../../akte.pdf", "akte.pdf"),
        ("C:\\Users\\jan\\Documents\\akte.pdf", "akte.pdf"),
        ("Überdracht – akte ‘concept’ 北京.pdf", "Überdracht – akte ‘concept’ 北京.pdf"),
        ("e\u0301e\u0301n.pdf", "één.pdf"),  # decomposed (as macOS sends it) becomes NFC
        ('a"b\r\nc\td.pdf', "abcd.pdf"),
        ("O'Brien `x`.pdf", "OBrien x.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # the right-to-left override is removed
        ("zero\u200bwidth\u2028line.txt", "zerowidthline.txt"),
        ("a  \u00a0 b.pdf", "a b.pdf"),
        ("what?<>:|*.pdf", "what______.pdf"),
        (".htaccess", "htaccess"),
        ("akte.pdf. . ", "akte.pdf"),
        ("CON.txt", "_CON.txt"),
        ("..", "bestand"),
        ("", "bestand"),
        ("\x00\x01", "bestand"),
    ],
)
def test_file_names_are_sanitised_R_X_3(given, expected):
    """R-X-3: no path, no control or format characters, quotes or line breaks; Unicode kept
    (NFC); nothing hidden or reserved."""
    assert sanitise_filename(given) == expected


def test_a_300_character_name_is_shortened_keeping_the_extension_R_X_3():
    """R-X-3: a 300-character name is shortened to 150 characters, its extension kept."""
    name = sanitise_filename("a" * 296 + ".pdf")
    assert len(name) == 150
    assert name == "a" * 146 + ".pdf"


def test_a_long_unicode_name_fits_in_255_bytes_R_X_3():
    """R-X-3: a long name of multi-byte characters is also cut to at most 255 bytes in UTF-8
    (what file systems allow), keeping the extension and whole characters."""
    name = sanitise_filename("北" * 300 + ".docx")
    assert name.endswith(".docx")
    assert len(name.encode()) <= 255
    assert set(name[:-5]) == {"北"}
    long_extension = sanitise_filename("a." + "b" * 300)
    assert len(long_extension) == 150


def test_check_upload_sanitises_the_name_R_X_3():
    """R-X-3: check_upload returns the sanitised name, from `name` or the file's own name."""
    assert check_upload(ContentFile(TEXT, name="x.txt"), name="../../etc/passwd").name == "passwd"
    assert check(PDF, "x" * 300 + ".pdf").name == "x" * 146 + ".pdf"
    assert check(PDF, "Akte\nvan levering é.pdf").name == "Aktevan levering é.pdf"


# --- The limit while the request is received (upload handler) -------------------------------


@login_not_required
@limit_upload_size
def upload_view(request):
    """A test-only view using the handler as a real view would."""
    if request.method == "GET":
        return JsonResponse({"csrf": get_token(request)})
    handlers = [h for h in request.upload_handlers if isinstance(h, LimitedUploadHandler)]
    temporary_files = [
        h.file.temporary_file_path() for h in handlers if getattr(h, "file", None) is not None
    ]
    return JsonResponse(
        {
            "files": {
                field: [f.name, f.size, f.read()[:8].decode("latin-1")]
                for field, f in request.FILES.items()
            },
            "post": dict(request.POST.items()),
            "refused": [[r.field_name, r.file_name, r.message] for r in upload_refusals(request)],
            "leftover_temporary_files": [p for p in temporary_files if os.path.exists(p)]
            if not request.FILES
            else [],
        }
    )


urlpatterns = [path("upload/", upload_view)]


@pytest.mark.urls(__name__)
def test_the_handler_refuses_an_over_limit_file_and_keeps_the_rest_R_X_3(db, client, settings):
    """R-X-3: posted through the test client, a file over UPLOAD_MAX_BYTES is dropped while it
    is received (its partial temporary file removed) and the refusal is reported to the view;
    the other fields and a file within the limit in the same form arrive."""
    settings.UPLOAD_MAX_BYTES = 1 * MB
    response = client.post(
        "/upload/",
        {
            "title": "Paspoort",
            "big": SimpleUploadedFile("../groot.pdf", b"%PDF-1.4" + bytes(2 * MB)),
            "small": SimpleUploadedFile("klein.pdf", PDF),
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["post"] == {"title": "Paspoort"}
    assert body["files"] == {"small": ["klein.pdf", len(PDF), "%PDF-1.4"]}
    assert body["refused"] == [
        ["big", "groot.pdf", "The file is too large: at most 1.0\xa0MB is allowed."]
    ]


@pytest.mark.urls(__name__)
def test_the_handler_removes_the_partial_temporary_file_R_X_3(db, client, settings):
    """R-X-3: the refused file's partial temporary file is gone when the view runs."""
    settings.UPLOAD_MAX_BYTES = 256 * 1024
    response = client.post("/upload/", {"big": SimpleUploadedFile("groot.pdf", bytes(MB))})
    body = response.json()
    assert body["refused"][0][0] == "big"
    assert body["files"] == {}
    assert body["leftover_temporary_files"] == []


@pytest.mark.urls(__name__)
def test_the_handler_view_still_checks_csrf_R_X_3(settings, db):
    """R-X-3 with R-X-1: installing the handler before the body is read (csrf_exempt outside,
    csrf_protect inside, as Django's docs show) keeps the CSRF check: without the token the
    post is refused, with it the post is handled."""
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    upload = {"small": SimpleUploadedFile("klein.pdf", PDF)}
    assert client.post("/upload/", upload).status_code == 403
    token = client.get("/upload/").json()["csrf"]
    upload = {"small": SimpleUploadedFile("klein.pdf", PDF), "csrfmiddlewaretoken": token}
    response = client.post("/upload/", upload)
    assert response.status_code == 200
    assert response.json()["files"]["small"][1] == len(PDF)


class StreamedUpload(StreamedBody):
    """A multipart body of one file of ``size`` bytes, made while it is read; ``watch_dir`` is
    looked at every MB read."""

    boundary = "----klantportaal-test-boundary"

    def __init__(self, size: int, watch_dir):
        head = (
            f"--{self.boundary}\r\n"
            'Content-Disposition: form-data; name="document"; filename="groot.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        tail = f"\r\n--{self.boundary}\r\n".encode()
        tail += b'Content-Disposition: form-data; name="title"\r\n\r\nPaspoort\r\n'
        tail += f"--{self.boundary}--\r\n".encode()
        length = len(head) + size + len(tail)
        super().__init__(self._generate(head, size, tail), length, watch_dir, look_every=MB)

    @staticmethod
    def _generate(head, size, tail):
        yield head
        yield from file_pieces(size)
        yield tail


@pytest.mark.urls(__name__)
def test_an_over_limit_upload_never_sits_whole_in_memory_or_on_disk_R_X_3(
    db, client, settings, tmp_path
):
    """R-X-3: a 20 MB upload against a 1 MB limit, streamed to the app through the test client:
    it is refused, the whole request is still read (the browser gets an answer, not a reset),
    the app's memory peak stays under 5 MB and its temporary files never hold more than the
    limit."""
    settings.UPLOAD_MAX_BYTES = 1 * MB
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    # A first request loads the middleware and imports what a request needs, outside the count.
    client.post("/upload/", {"small": SimpleUploadedFile("klein.pdf", PDF)})
    body = StreamedUpload(20 * MB, tmp_path)
    tracemalloc.start()
    try:
        response = client.generic(
            "POST",
            "/upload/",
            **{
                "wsgi.input": body,
                "CONTENT_LENGTH": str(body.length),
                "CONTENT_TYPE": f"multipart/form-data; boundary={body.boundary}",
            },
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    result = response.json()
    assert result["refused"][0][:2] == ["document", "groot.pdf"]
    assert result["post"] == {"title": "Paspoort"}
    assert result["files"] == {}
    assert body.read_bytes == body.length
    assert peak < 5 * MB, f"peak {peak / MB:.1f} MB"
    assert 0 < body.most_on_disk <= settings.UPLOAD_MAX_BYTES
    assert list(tmp_path.iterdir()) == []


def test_a_received_file_is_hashed_once_and_moved_into_storage_R_X_3_issue_9(
    world, settings, monkeypatch
):
    """Issue 9 (uploads at disk speed) without giving up R-X-3: the handler hashes and counts
    the file while it is received; the checks read only its head for the type; the local
    storage moves the temporary file into place (no copy). The stored hash is the content's."""
    from portal.documents.models import StagedUpload

    content = b"%PDF-1.4\n" + os.urandom(3 * MB) + b"\n%%EOF\n"
    http = Client()
    http.force_login(world.owner)
    reads = []
    original_chunks = TemporaryUploadedFile.chunks

    def counting_chunks(self, *args, **kwargs):
        reads.append(self.name)
        return original_chunks(self, *args, **kwargs)

    from django.core.files.storage import filesystem

    moved = []
    original_move = filesystem.file_move_safe

    def recording_move(old, new, *args, **kwargs):
        moved.append(old)
        return original_move(old, new, *args, **kwargs)

    monkeypatch.setattr(filesystem, "file_move_safe", recording_move)
    TemporaryUploadedFile.chunks = counting_chunks
    try:
        response = http.post(
            f"/dossiers/{world.person_dossier.pk}/berichten/bijlagen/",
            {"file": SimpleUploadedFile("groot.pdf", content)},
        )
    finally:
        TemporaryUploadedFile.chunks = original_chunks
    assert response.status_code == 201, response.content
    staged = StagedUpload.objects.get()
    assert staged.sha256 == hashlib.sha256(content).hexdigest() and staged.size == len(content)
    with staged.file.open("rb") as stored:
        assert stored.read() == content
    assert reads == []  # neither the checks nor the storage went over the file again
    assert len(moved) == 1 and moved[0].startswith(str(settings.FILE_UPLOAD_TEMP_DIR))
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []


def test_a_file_without_a_received_hash_is_read_whole_R_X_3(settings):
    """A file that did not come through the handler (the API, the admin, a command) is hashed
    and measured by check_upload itself, and refused over the limit."""
    settings.UPLOAD_MAX_BYTES = 1 * MB
    checked = check_upload(ContentFile(PDF, name="brief.pdf"))
    assert checked.sha256 == hashlib.sha256(PDF).hexdigest() and checked.size == len(PDF)
    with pytest.raises(UploadRejected):
        check_upload(ContentFile(b"%PDF-1.4" + bytes(2 * MB), name="groot.pdf"))
