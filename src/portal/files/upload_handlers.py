"""The upload limits, decided before a request's body is read and enforced while it is
received (R-X-3).

Django's own upload handlers keep a file whole (in memory up to
``FILE_UPLOAD_MAX_MEMORY_SIZE``, on disk after that) before the view sees it. The
``LimitedUploadHandler`` streams each file to a temporary file and stops a file as soon as its
received bytes would pass ``settings.UPLOAD_MAX_BYTES``: the partial temporary file is removed,
the rest of that file is read from the connection and thrown away chunk by chunk (so the
browser still gets an answer, not a reset connection), other fields and files of the same
request are kept, and the refusal is remembered for the view::

    from portal.files.upload_handlers import limit_upload_size, upload_refusals

    @limit_upload_size(reach=may_send_files)  # see below
    def upload(request, pk):
        for refused in upload_refusals(request):
            form.add_error(refused.field_name, refused.message)
        ...

Upload handlers must be chosen before ``request.POST`` or ``request.FILES`` is first read, and
``CsrfViewMiddleware`` reads ``request.POST``; so, as in Django's "Modifying upload handlers on
the fly", ``limit_upload_size`` makes the view ``csrf_exempt`` for the middleware, installs the
handler, and then runs the view under ``csrf_protect``: CSRF is still checked, after the handler
is in place. ``install_limited_upload_handler(request)`` does the middle step for views that
arrange this themselves.

``SkipFile`` is used rather than ``StopUpload``: after ``StopUpload(connection_reset=False)``
Django drains the rest of the body line by line, and a file without line breaks then arrives
as one "line" (measured: 38 MB of memory for a refused 20 MB upload, against 0.4 MB with
``SkipFile``, which drains the refused file chunk by chunk and keeps the fields after it).

Before a single byte of the body is read (``handle_raw_input``, called when the body is first
parsed, by the CSRF check), the handler decides what the request may send at all: the route's
``reach`` check (may this user send files here: ``Dossier.objects.visible_to`` for a client's
dossier) — refused, the request is a 404 and its body is never read — and the announced
``Content-Length`` against ``settings.UPLOAD_MAX_TOTAL_BYTES`` (plus room for the form's
fields) — refused, a 413 without reading it. While the body is received, a file beyond
``settings.UPLOAD_MAX_FILES`` or past the total is refused like a file over the size limit,
without a temporary file. So a POST of a hundred 50 MB files to someone else's dossier costs
no disk at all, and one to the user's own dossier at most the total::

    @limit_upload_size(reach=lambda request, pk, **kwargs: Dossier.objects.visible_to(
        request.user).filter(pk=pk).exists())
    def upload(request, pk): ...

``DefaultUploadHandler`` (``FILE_UPLOAD_HANDLERS``) applies the same limits to every other view
(the admin's, the API's), and accepts no file at all from a visitor who is not signed in (no
public page takes files); such a request over the limit is a 400 (``UploadStopped`` is a
``RequestDataTooBig``).

The handler also computes the file's SHA-256 and size as the chunks arrive and hands them on
with the file (``received_sha256``, ``received_size``): ``uploads.check_upload`` then needs no
second pass over the file for them, only the head for the type and the scanner's read. The
temporary file lies in ``FILE_UPLOAD_TEMP_DIR`` (under ``VAR_DIR``, the disk of ``MEDIA_ROOT``),
so the local storage moves it into place instead of copying it (an upload costs one
pass over the data after the network, not three).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from .uploads import sanitise_filename, too_large_message

#: Room in a request for the form's own fields and the multipart framing, on top of the files.
FIELDS_ALLOWANCE = 256 * 1024


def too_many_files_message(limit: int | None = None) -> str:
    limit = settings.UPLOAD_MAX_FILES if limit is None else limit
    return _("At most %(count)d files can be sent at once; send the others separately.") % {
        "count": limit
    }


def too_much_in_total_message(limit: int | None = None) -> str:
    limit = settings.UPLOAD_MAX_TOTAL_BYTES if limit is None else limit
    return _(
        "The files together are too large: at most %(limit)s can be sent at once; send the "
        "others separately."
    ) % {"limit": filesizeformat(limit)}


def request_too_large_message() -> str:
    return _(
        "This is too much to send at once: at most %(count)d files and %(limit)s together. "
        "Go back and send the files in parts."
    ) % {
        "count": settings.UPLOAD_MAX_FILES,
        "limit": filesizeformat(settings.UPLOAD_MAX_TOTAL_BYTES),
    }


class UploadStopped(RequestDataTooBig):
    """The request was refused before its body was read: ``status`` 404 (the user may not send
    files here) or 413 (more than the limits allow). Views decorated with
    ``limit_upload_size`` answer it; elsewhere Django answers a 400."""

    def __init__(self, status: int, message: str = ""):
        super().__init__(message or f"upload refused ({status})")
        self.status = status
        self.message = message


class _Nothing:
    """What a refused file was written to: nothing (Django's parser closes ``handler.file``)."""

    def close(self) -> None:
        pass


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

    def __init__(
        self,
        request=None,
        max_bytes: int | None = None,
        *,
        reach: Callable[[], bool] | None = None,
        max_files: int | None = None,
        max_total: int | None = None,
    ):
        super().__init__(request)
        self.max_bytes = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
        self.max_files = settings.UPLOAD_MAX_FILES if max_files is None else max_files
        self.max_total = settings.UPLOAD_MAX_TOTAL_BYTES if max_total is None else max_total
        self.reach = reach
        self.refused: list[RefusedUpload] = []
        self.files_seen = 0
        self.total_received = 0  # bytes of the files kept so far

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        """Called before the body is read: decide whether it may be read at all."""
        if self.reach is not None and not self.reach():
            raise UploadStopped(404)
        if content_length > self.max_total + FIELDS_ALLOWANCE:
            raise UploadStopped(413, request_too_large_message())
        return None  # go on: Django's parser reads the body and hands us the files

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        self.field_name, self.file_name = field_name, file_name
        self.files_seen += 1
        if self.files_seen > self.max_files:
            self._refuse(too_many_files_message(self.max_files), written=False)
        if content_length is not None and content_length > self.max_bytes:
            # The part announced its (too large) length: refuse it before writing anything.
            self._refuse(too_large_message(self.max_bytes), written=False)
        if self.total_received + (content_length or 0) > self.max_total:
            self._refuse(too_much_in_total_message(self.max_total), written=False)
        # The temporary file is created only now: on SkipFile, Django closes (and so deletes)
        # ``self.file``, which must be this file, not the previous, completed one.
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        self.digest = hashlib.sha256()

    def receive_data_chunk(self, raw_data, start):
        received = start + len(raw_data)
        if received > self.max_bytes:
            self._refuse(too_large_message(self.max_bytes))
        if self.total_received + received > self.max_total:
            self._refuse(too_much_in_total_message(self.max_total))
        self.digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        if uploaded is not None:
            # Read back by uploads.check_upload, which then need not read the file again.
            uploaded.received_sha256 = self.digest.hexdigest()  # type: ignore[attr-defined]
            uploaded.received_size = file_size  # type: ignore[attr-defined]
            self.total_received += file_size
        return uploaded

    def upload_interrupted(self):
        if not isinstance(getattr(self, "file", None), _Nothing):
            super().upload_interrupted()

    def _refuse(self, message: str, *, written: bool = True):
        self.refused.append(
            RefusedUpload(
                field_name=self.field_name,
                file_name=sanitise_filename(self.file_name or ""),
                message=message,
            )
        )
        if not written:
            # A sink: Django's parser only writes the rest of the refused file to it and closes it.
            self.file = _Nothing()  # type: ignore[assignment]
        # Django's parser then closes self.file (a temporary file deleted on close) and
        # reads the rest of this file without keeping it.
        raise SkipFile()


class DefaultUploadHandler(LimitedUploadHandler):
    """``FILE_UPLOAD_HANDLERS``: the limits for views that do not install their own handler,
    and no file at all from a visitor who is not signed in."""

    def __init__(self, request=None):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        super().__init__(request, max_files=None if signed_in else 0)
        if not signed_in:
            self.max_total = 0


def install_limited_upload_handler(
    request, *, max_bytes: int | None = None, reach: Callable[[], bool] | None = None
) -> LimitedUploadHandler:
    """Make ``LimitedUploadHandler`` the only upload handler of ``request``. Must run before
    ``request.POST``/``request.FILES`` is read (Django raises ``AttributeError`` otherwise)."""
    handler = LimitedUploadHandler(request, max_bytes=max_bytes, reach=reach)
    request.upload_handlers = [handler]
    return handler


def stopped_response(request, stop: UploadStopped, *, json: bool = False) -> HttpResponse:
    """The answer to a request refused before its body was read: the 404 page, or a 413 page
    (``json``: the attachments dialog's JSON) that says what the limits are."""
    # The body is left unread: nothing may try to parse it later in this request.
    request._mark_post_parse_error()
    if stop.status == 404:
        raise Http404
    if json:
        return JsonResponse({"name": "", "error": stop.message}, status=stop.status)
    return render(request, "413.html", {"message": stop.message}, status=stop.status)


def upload_refusals(request) -> list[RefusedUpload]:
    """The files of ``request`` refused while they were received (reads ``request.FILES``)."""
    request.FILES  # noqa: B018 - parse the body, so that the handlers have seen every file
    return refused_while_received(request)


def refused_while_received(request) -> list[RefusedUpload]:
    """The refusals of a body already parsed (by DRF's parser, for instance)."""
    return [
        refused
        for handler in request.upload_handlers
        if isinstance(handler, LimitedUploadHandler)
        for refused in handler.refused
    ]


def limit_upload_size(
    view: Callable | None = None,
    *,
    reach: Callable[..., bool] | None = None,
    json: bool = False,
) -> Callable:
    """Decorate a function view that receives files: the limits are enforced while the
    request is received, and CSRF is checked after the handler is installed (see above).

    ``reach(request, *args, **kwargs)`` (the view's own arguments) says whether the user may
    send files to this route at all; it runs only when a multipart body is about to be read,
    and a no is a 404 with the body unread. Every route that takes files names its check.
    ``json``: the view answers JSON (a refusal too)."""
    if view is None:
        return lambda view: limit_upload_size(view, reach=reach, json=json)
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        gate = None if reach is None else (lambda: reach(request, *args, **kwargs))
        install_limited_upload_handler(request, reach=gate)
        try:
            return protected(request, *args, **kwargs)
        except UploadStopped as stop:
            return stopped_response(request, stop, json=json)

    return csrf_exempt(wrapped)
