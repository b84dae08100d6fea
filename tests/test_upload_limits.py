"""Disk filling (R-X-3, issue 14 item 15): who may send files, how many and how much is decided
before a request's body is read. A POST of many large files to a dossier the user cannot see
reads no byte of the body and writes no temporary file; too many files or too much in total
is refused with a clear message without spooling what is over the limit."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files import uploadhandler
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client as HttpClient
from django.utils import translation

from portal.documents.models import Document, StagedUpload
from portal.questionnaires import services as action_services

from .api_helpers import Api, make_token
from .api_problems import problem
from .factories import DossierFactory, StaffFactory, UserFactory, grant
from .streaming import StreamedBody, file_pieces
from .workspace_helpers import verify_second_factor

MB = 1024 * 1024
PDF = b"%PDF-1.4\n% een brief\n%%EOF\n"


class MultipartStream(StreamedBody):
    """A multipart body of ``count`` files of ``size`` bytes each, made only while it is read;
    ``watch_dir`` is looked at on every read."""

    boundary = "----klantportaal-limits-boundary"

    def __init__(self, count: int, size: int, watch_dir, field: str = "files"):
        heads = [
            (
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                f'filename="stuk-{n}.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            for n in range(count)
        ]
        tail = f"--{self.boundary}--\r\n".encode()
        length = sum(len(h) + size + 2 for h in heads) + len(tail)
        super().__init__(self._generate(heads, size, tail), length, watch_dir)

    @staticmethod
    def _generate(heads, size, tail):
        for head in heads:
            yield head
            yield from file_pieces(size)
            yield b"\r\n"
        yield tail


@pytest.fixture
def temporary_files(monkeypatch, settings, tmp_path):
    """Every temporary upload file the app creates (by any upload handler), in ``tmp_path``."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    created: list[str] = []

    class Recorded(TemporaryUploadedFile):
        def __init__(self, name, *args, **kwargs):
            created.append(name)
            super().__init__(name, *args, **kwargs)

    monkeypatch.setattr(uploadhandler, "TemporaryUploadedFile", Recorded)
    return created


def browser(user, *, staff: bool = False) -> tuple[HttpClient, dict]:
    """A signed-in browser that passes the CSRF check (cookie and header), as a logged-in
    attacker's would: the body is parsed by the CSRF check, before the view runs."""
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(user)
    if staff:
        verify_second_factor(http)
    return http, csrf_token(http)


def csrf_token(http: HttpClient) -> dict:
    """A CSRF cookie in ``http`` and the header that matches it."""
    secret = _get_new_csrf_string()
    http.cookies[settings.CSRF_COOKIE_NAME] = secret
    return {"HTTP_X_CSRFTOKEN": secret}


def post_stream(http, path: str, body: MultipartStream, headers: dict):
    return http.generic(
        "POST",
        path,
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(body.length),
            "CONTENT_TYPE": f"multipart/form-data; boundary={body.boundary}",
            **headers,
        },
    )


@pytest.fixture
def scene(db):
    owner = UserFactory(email="eigenaar@example.test", language="en")
    stranger = UserFactory(email="vreemde@example.test")
    staff = StaffFactory(email="behandelaar@office.test")
    mine = DossierFactory(description="Mijn dossier")
    grant(mine, owner.client)
    theirs = DossierFactory(description="Niet van mij")
    grant(theirs, stranger.client)
    message = theirs.messages.create(direction="in", subject="Brief", body="Tekst", author=staff)
    action = action_services.request_upload(
        dossier=theirs, client=stranger.client, title_nl="Paspoort", by=staff
    )
    own_action = action_services.request_upload(
        dossier=mine, client=owner.client, title_nl="Paspoort", by=staff
    )
    return {
        "owner": owner,
        "staff": staff,
        "mine": mine,
        "theirs": theirs,
        "message": message,
        "action": action,
        "own_action": own_action,
    }


def test_files_to_a_dossier_the_user_cannot_see_are_never_read_issue_14_item_15(
    scene, temporary_files, tmp_path
):
    """R-X-3, issue 14 item 15: a signed-in client with a valid CSRF token posts 20 files of
    2 MB to every route that takes files, for a dossier (or action) that is not theirs, and
    to the staff publish form: each answers 404, not one byte of the body is read, no
    temporary file is made, nothing is on the disk."""
    theirs = scene["theirs"]
    http, csrf = browser(scene["owner"])
    paths = [
        f"/dossiers/{theirs.pk}/berichten/nieuw/",
        f"/dossiers/{theirs.pk}/berichten/{scene['message'].pk}/beantwoorden/",
        f"/dossiers/{theirs.pk}/berichten/bijlagen/",
        f"/acties/{scene['action'].pk}/uploaden/",
        f"/kantoor/dossiers/{theirs.pk}/publiceren/",
        f"/kantoor/dossiers/{theirs.pk}/berichten/nieuw/",
    ]
    for path in paths:
        body = MultipartStream(20, 2 * MB, tmp_path)
        response = post_stream(http, path, body, csrf)
        assert response.status_code == 404, (path, response.status_code)
        assert body.read_bytes == 0, path
        assert body.most_on_disk == 0, path
    assert temporary_files == []
    assert list(tmp_path.iterdir()) == []
    assert StagedUpload.objects.count() == 0


def test_the_same_files_to_the_own_dossier_are_received_issue_14_item_15(
    scene, temporary_files, tmp_path
):
    """Issue 14 item 15, the other side: the same kind of post to the client's own dossier is
    read and stored (the 404 above is the access check, not a broken upload)."""
    http, csrf = browser(scene["owner"])
    body = MultipartStream(1, MB, tmp_path, field="file")
    response = post_stream(http, f"/dossiers/{scene['mine'].pk}/berichten/bijlagen/", body, csrf)
    assert response.status_code == 201, response.content
    assert body.read_bytes == body.length
    assert len(temporary_files) == 1
    assert StagedUpload.objects.count() == 1


def test_more_than_the_total_is_refused_before_it_is_read_issue_14_item_15(
    scene, temporary_files, tmp_path, settings
):
    """R-X-3, issue 14 item 15: a post to the own dossier whose announced length passes
    UPLOAD_MAX_TOTAL_BYTES is a 413 that names the limits, before a byte of it is read; the
    attachments dialog gets the same as JSON."""
    settings.UPLOAD_MAX_BYTES = 2 * MB
    settings.UPLOAD_MAX_TOTAL_BYTES = 4 * MB
    http, csrf = browser(scene["owner"])
    body = MultipartStream(5, 2 * MB, tmp_path)
    page = post_stream(http, f"/acties/{scene['own_action'].pk}/uploaden/", body, csrf)
    assert page.status_code == 413
    text = page.content.decode()
    assert "at most 20 files and 4.0\xa0MB together" in text
    assert body.read_bytes == 0
    body = MultipartStream(5, 2 * MB, tmp_path, field="file")
    dialog = post_stream(http, f"/dossiers/{scene['mine'].pk}/berichten/bijlagen/", body, csrf)
    assert dialog.status_code == 413
    assert "4.0\xa0MB" in dialog.json()["error"]
    assert body.read_bytes == 0
    assert temporary_files == []
    assert Document.objects.filter(dossier=scene["mine"]).count() == 0


def test_files_past_the_count_are_refused_without_a_temporary_file_issue_14_item_15(
    scene, temporary_files, settings
):
    """R-X-3, issue 14 item 15: with UPLOAD_MAX_FILES=2, three files for an upload request:
    two are stored, the third is listed as refused with the reason and never written (two
    temporary files in all)."""
    settings.UPLOAD_MAX_FILES = 2
    http, csrf = browser(scene["owner"])
    files = [SimpleUploadedFile(f"brief-{n}.pdf", PDF) for n in range(3)]
    with translation.override("en"):
        response = http.post(
            f"/acties/{scene['own_action'].pk}/uploaden/", {"files": files}, **csrf
        )
    assert response.status_code == 200
    assert "brief-2.pdf: At most 2 files can be sent at once" in response.content.decode()
    assert len(temporary_files) == 2
    assert scene["own_action"].supplied_documents.count() == 2


def test_the_staff_publish_form_keeps_to_the_limits_issue_14_item_15(
    scene, temporary_files, tmp_path, settings
):
    """Issue 14 item 15: the workspace's publish form (staff with the second factor) gets the
    same 413 before reading a body over the total."""
    settings.UPLOAD_MAX_BYTES = MB
    settings.UPLOAD_MAX_TOTAL_BYTES = 2 * MB
    http, csrf = browser(scene["staff"], staff=True)
    body = MultipartStream(3, MB, tmp_path)
    response = post_stream(http, f"/kantoor/dossiers/{scene['mine'].pk}/publiceren/", body, csrf)
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert temporary_files == []


def test_a_visitor_cannot_make_the_portal_store_files_issue_14_item_15(
    db, temporary_files, tmp_path
):
    """R-X-3, issue 14 item 15: no public page takes files. A visitor with a CSRF cookie posts
    files to the login page: a small one is never written; a large post is refused (400)
    before it is read."""
    http = HttpClient(enforce_csrf_checks=True)
    csrf = csrf_token(http)
    small = http.post(
        "/inloggen/",
        {"username": "a@b.test", "password": "x", "file": SimpleUploadedFile("a.pdf", PDF)},
        **csrf,
    )
    assert small.status_code == 200  # the login form again, the file not taken
    body = MultipartStream(10, 2 * MB, tmp_path)
    large = post_stream(http, "/inloggen/", body, csrf)
    assert large.status_code == 400
    assert body.read_bytes == 0
    assert temporary_files == []


def test_the_api_upload_keeps_to_the_limits_issue_14_item_15(
    scene, temporary_files, tmp_path, settings
):
    """R-OFF-6, issue 14 item 15: the API's publish call over the total is a 413 before the
    body is read; a file past UPLOAD_MAX_FILES is a 400 naming it, and nothing is published."""
    settings.UPLOAD_MAX_BYTES = MB
    settings.UPLOAD_MAX_TOTAL_BYTES = 2 * MB
    _token, raw = make_token(scene["staff"])
    api = Api(raw)
    body = MultipartStream(3, MB, tmp_path, field="file")
    response = post_stream(
        api.http, "/api/v1/documents/", body, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    )
    assert "te veel om in één keer" in problem(response, 413, "too-large")["detail"]
    assert body.read_bytes == 0
    settings.UPLOAD_MAX_FILES = 1
    response = api.post(
        "/api/v1/documents/",
        {
            "dossier": scene["mine"].pk,
            "kind": "correspondence",
            "file": SimpleUploadedFile("een.pdf", PDF),
            "extra": SimpleUploadedFile("twee.pdf", PDF),
        },
        multipart=True,
    )
    assert "twee.pdf" in str(problem(response, 400, "invalid")["errors"])
    assert Document.objects.filter(dossier=scene["mine"]).count() == 0
    assert len(temporary_files) == 1
