"""The per-file size limit enforced while a request is received (R-X-3).

Django's own upload handlers keep a file whole (in memory up to
``FILE_UPLOAD_MAX_MEMORY_SIZE``, on disk after that) before the view sees it. The
``LimitedUploadHandler`` streams each file to a temporary file and stops a file as soon as its
received bytes would pass ``settings.UPLOAD_MAX_BYTES``: the partial temporary file is removed,
the rest of that file is read from the connection and thrown away chunk by chunk (so the
browser still gets an answer, not a reset connection), other fields and files of the same
request are kept, and the refusal is remembered for the view::

    from portal.documents.upload_handlers import limit_upload_size, upload_refusals

    @limit_upload_size
    def upload(request, pk):
        for refused in upload_refusals(request):
            form.add_error(refused.field_name, refused.message)
        ...

Upload handlers must be chosen before ``request.POST`` or ``request.FILES`` is first read, and
``CsrfViewMiddleware`` reads ``request.POST``; so, as in Django's "Modifying upload handlers on
the fly", ``limit_upload_size`` makes the view ``csrf_exempt`` for the middleware, installs the
handler, and then runs the view under ``csrf_protect``: CSRF is still checked, after the handler
is in place. ``install_limited_upload_handler(request)`` does the middle step for views that
arrange this themselves. The handler can also be named in ``FILE_UPLOAD_HANDLERS`` to apply it
to every view (the admin's included), where no such ordering is needed.

``SkipFile`` is used rather than ``StopUpload``: after ``StopUpload(connection_reset=False)``
Django drains the rest of the body line by line, and a file without line breaks then arrives
as one "line" (measured: 38 MB of memory for a refused 20 MB upload, against 0.4 MB with
``SkipFile``, which drains the refused file chunk by chunk and keeps the fields after it).

The handler also computes the file's SHA-256 and size as the chunks arrive and hands them on
with the file (``received_sha256``, ``received_size``): ``uploads.check_upload`` then needs no
second pass over the file for them, only the head for the type and the scanner's read. The
temporary file lies in ``FILE_UPLOAD_TEMP_DIR`` (under ``VAR_DIR``, the disk of ``MEDIA_ROOT``),
so the local storage moves it into place instead of copying it (issue 9: an upload costs one
pass over the data after the network, not three).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from .uploads import sanitise_filename, too_large_message


@dataclass(frozen=True)
class RefusedUpload:
    """A file the handler stopped: the form field, the (sanitised) file name, the message."""

    field_name: str
    file_name: str
    message: str


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Streams every file to a temporary file, refusing a file once it passes ``max_bytes``
    (default ``settings.UPLOAD_MAX_BYTES``). At most ``max_bytes`` of a file is ever written,
    and only one chunk (64 KB) is held in memory at a time."""

    # Django's parser hands each handler pieces of at most the smallest handler's chunk_size:
    # 1 MiB instead of 64 KiB makes the parsing of a large file several times cheaper, and is
    # still the most a file holds in memory.
    chunk_size = 1024 * 1024

    def __init__(self, request=None, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
        self.refused: list[RefusedUpload] = []

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        # The temporary file is created first: on SkipFile, Django closes (and so deletes)
        # ``self.file``, which must be this file, not the previous, completed one.
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        self.digest = hashlib.sha256()
        if content_length is not None and content_length > self.max_bytes:
            self._refuse()  # the part announced its (too large) length: refuse at once

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            self._refuse()
        self.digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        if uploaded is not None:
            uploaded.received_sha256 = self.digest.hexdigest()
            uploaded.received_size = file_size
        return uploaded

    def _refuse(self):
        self.refused.append(
            RefusedUpload(
                field_name=self.field_name,
                file_name=sanitise_filename(self.file_name or ""),
                message=too_large_message(self.max_bytes),
            )
        )
        # Django's parser then closes self.file (a temporary file deleted on close) and
        # reads the rest of this file without keeping it.
        raise SkipFile()


def install_limited_upload_handler(
    request, *, max_bytes: int | None = None
) -> LimitedUploadHandler:
    """Make ``LimitedUploadHandler`` the only upload handler of ``request``. Must run before
    ``request.POST``/``request.FILES`` is read (Django raises ``AttributeError`` otherwise)."""
    handler = LimitedUploadHandler(request, max_bytes=max_bytes)
    request.upload_handlers = [handler]
    return handler


def upload_refusals(request) -> list[RefusedUpload]:
    """The files of ``request`` refused while they were received (reads ``request.FILES``)."""
    request.FILES  # noqa: B018 - parse the body, so that the handlers have seen every file
    return [
        refused
        for handler in request.upload_handlers
        if isinstance(handler, LimitedUploadHandler)
        for refused in handler.refused
    ]


def limit_upload_size(view: Callable) -> Callable:
    """Decorate a function view that receives files: the size limit is enforced while the
    request is received, and CSRF is checked after the handler is installed (see above)."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        install_limited_upload_handler(request)
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapped)
