"""The public verify page "Document controleren" (R-SIG-2): on each office's host, without a
login, a visitor uploads a file or types the code printed on it and reads whether the office
issued it through the portal, unchanged.

The uploaded file is never stored, not even as a temporary file: ``HashOnlyUploadHandler``
hashes the chunks as they arrive and drops them. The check itself is
``portal.documents.verification.verify`` (what may be shown, and the audit entry); the page is
rate-limited per client address (``RATE_LIMIT_VERIFY_PER_ADDRESS``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from portal.accounts import ratelimits
from portal.documents import sealing, verification
from portal.files.upload_handlers import FIELDS_ALLOWANCE, UploadStopped, stopped_response
from portal.files.uploads import too_large_message
from portal.offices.models import Office
from portal.web.verify_forms import VerifyForm


@dataclass(frozen=True)
class HashedUpload:
    """What is kept of an uploaded file: its SHA-256 and size, never its content."""

    sha256: str
    size: int


class HashOnlyUploadHandler(FileUploadHandler):
    """Hashes the request's first file while it is received and keeps nothing of it; any
    further file is skipped. A file over ``UPLOAD_MAX_BYTES`` is skipped too (``too_large``)."""

    chunk_size = 1024 * 1024

    def __init__(self, request=None):
        super().__init__(request)
        self.files_seen = 0
        self.too_large = False
        self.digest = hashlib.sha256()
        self.size = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.UPLOAD_MAX_BYTES + FIELDS_ALLOWANCE:
            raise UploadStopped(413, too_large_message())
        return None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        if self.files_seen > 1:
            raise SkipFile()
        self.digest = hashlib.sha256()
        self.size = 0

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.size > settings.UPLOAD_MAX_BYTES:
            self.too_large = True
            raise SkipFile()
        self.digest.update(raw_data)
        return None  # nothing is passed on, nothing written

    def file_complete(self, file_size):
        if self.files_seen > 1 or self.too_large or not file_size:
            return None
        return HashedUpload(sha256=self.digest.hexdigest(), size=file_size)


@csrf_exempt  # checked below, once the hashing handler is in place (see upload_handlers)
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        refusal = ratelimits.check(request, "verify")
        if refusal is not None:
            return refusal
    handler = HashOnlyUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        return csrf_protect(_verify)(request, handler)
    except UploadStopped as stop:
        return stopped_response(request, stop)


def _verify(request: HttpRequest, handler: HashOnlyUploadHandler) -> HttpResponse:
    office = Office.cached()
    verdict = None
    form = VerifyForm(request.POST or None)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if handler.too_large:
            form.add_error("file", too_large_message())
        elif form.is_valid() and not (upload or form.cleaned_data["code"]):
            form.add_error(None, form.nothing_message())
        if form.is_valid():
            sha256 = upload.sha256 if isinstance(upload, HashedUpload) else None
            verdict = verification.verify(sha256=sha256, code=form.cleaned_data["code"] or None)
    return render(
        request,
        "documents/verify.html",
        {
            "form": form,
            "verdict": verdict,
            "office": office,
            "test_seal": sealing.configured_pkcs12(office) is None,
            "test_seal_name": sealing.TEST_SEAL_NAME,
        },
    )
