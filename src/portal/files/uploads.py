"""Checks every file goes through before it is stored for download (R-X-3).

``check_upload`` reads the file once, in chunks (never whole into memory): size limit
(``settings.UPLOAD_MAX_BYTES``), SHA-256, then the content type from the content against the
allow-list (``filetypes``), a sanitised file name, and the malware scan (``scanning``, when
``settings.CLAMAV_URL`` is set). A refused file raises ``UploadRejected`` with a message for the
user, and nothing is stored. The size limit is also enforced while the request is received by
``upload_handlers.LimitedUploadHandler``; the check here covers every other path (admin, API).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .errors import UploadRejected
from .filetypes import HEAD_BYTES, detect_content_type
from .scanning import scan

CHUNK = 64 * 1024  # the checks read in pieces of this size (at most this much in memory)
# Storage writes the file in pieces of 1 MiB: with Django's default of 64 KiB, writes of a large
# file ran at 0.4 GB/s here instead of 2.8; 1 MiB is still all a save holds.
WRITE_CHUNK = 1024 * 1024

#: Unicode categories removed from file names: control and format characters (e.g. the
#: right-to-left override that makes "invoice\u202efdp.exe" look like "invoiceexe.pdf"),
#: surrogates, private use, unassigned, line and paragraph separators.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_REMOVED_CHARACTERS = frozenset("\"'`")
_REPLACED_CHARACTERS = frozenset("<>:|?*")
_WINDOWS_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)
#: Most file systems allow 255 bytes for a name.
MAX_NAME_BYTES = 255


@dataclass(frozen=True)
class CheckedUpload:
    file: File
    name: str
    size: int
    sha256: str
    content_type: str


def too_large_message(limit: int | None = None) -> str:
    limit = settings.UPLOAD_MAX_BYTES if limit is None else limit
    return _("The file is too large: at most %(limit)s is allowed.") % {
        "limit": filesizeformat(limit)
    }


def sanitise_filename(name: str, *, max_length: int = 150) -> str:
    """A file name safe to show, to put in a header and to save on any system.

    No path (only the last component of ``/`` or ``\\`` separated paths, so
    ``../../etc/passwd`` gives ``passwd``), Unicode kept in NFC form, control and format
    characters, line breaks and quotes removed, ``<>:|?*`` replaced by ``_``, runs of spaces
    made one, no leading dots or spaces, no trailing dots or spaces. At most ``max_length``
    characters and 255 bytes in UTF-8: a longer name is shortened before its extension, which
    is kept. An empty result becomes ``bestand``.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    kept = []
    for char in name:
        if char in _REMOVED_CHARACTERS or unicodedata.category(char) in _REMOVED_CATEGORIES:
            continue
        kept.append("_" if char in _REPLACED_CHARACTERS else char)
    name = " ".join("".join(kept).split())  # every kind of space becomes one plain space
    name = unicodedata.normalize("NFC", name).strip(" .")
    if not name:
        return "bestand"
    stem, dot, ext = name.rpartition(".")
    if not (dot and stem and 0 < len(ext) <= 10):
        stem, dot, ext = name, "", ""
    if _WINDOWS_RESERVED.match(stem):
        stem = "_" + stem

    def fits(candidate: str) -> bool:
        return len(candidate) <= max_length and len(candidate.encode()) <= MAX_NAME_BYTES

    while stem and not fits(stem + dot + ext):
        stem = stem[:-1].rstrip(" .")
    name = stem + dot + ext
    if not stem or not fits(name):
        # Only an over-long extension (or nothing) was left: cut the whole name instead.
        name = (stem + dot + ext)[:max_length]
        while not fits(name):
            name = name[:-1]
        name = name.strip(" .") or "bestand"
    return name


def _read_whole(file: File, limit: int) -> tuple[str, int, bytes]:
    """SHA-256, size and head of ``file`` in one pass; refuses it once it passes ``limit``."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    file.seek(0)
    for chunk in file.chunks(CHUNK):
        size += len(chunk)
        if size > limit:
            file.seek(0)
            raise UploadRejected(too_large_message(limit))
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        digest.update(chunk)
    return digest.hexdigest(), size, head


def check_upload(file: File, *, name: str | None = None) -> CheckedUpload:
    """Check ``file`` for R-X-3 and return what to store; raises ``UploadRejected``.

    ``name`` is the user's file name (default: the file's own name); it is sanitised, and
    used only to narrow the type (see ``filetypes``). The returned file is rewound.
    """
    if not isinstance(file, File):
        file = File(file)
    file.DEFAULT_CHUNK_SIZE = WRITE_CHUNK  # what storage.save() reads it by
    limit = settings.UPLOAD_MAX_BYTES
    clean_name = sanitise_filename(name or getattr(file, "name", "") or "")
    received = getattr(file, "received_sha256", None)
    if received is not None:
        # Hashed and counted while it was received (upload_handlers): read only the head.
        sha256, size = received, file.received_size  # type: ignore[attr-defined]
        file.seek(0)
        head = file.read(HEAD_BYTES)
        if size > limit:
            file.seek(0)
            raise UploadRejected(too_large_message(limit))
    else:
        sha256, size, head = _read_whole(file, limit)
    if size == 0:
        raise UploadRejected(_("The file is empty."))
    try:
        content_type = detect_content_type(file, name=clean_name, head=head)
    finally:
        file.seek(0)
    if content_type is None:
        raise UploadRejected(
            _(
                "This type of file is not accepted. Send a PDF, a photo (JPEG, PNG, HEIC), a "
                "Word, Excel or OpenDocument file, or plain text."
            )
        )
    scan(file)
    file.seek(0)
    return CheckedUpload(
        file=file,
        name=clean_name,
        size=size,
        sha256=sha256,
        content_type=content_type,
    )
