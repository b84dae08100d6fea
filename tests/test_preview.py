"""In-portal preview (R-SIG-3): PDFs and photos are viewed as page images rendered on the server
in a background task, in a child process with limits; nothing of the file runs in the browser.
Access as for the download; viewing marks the document read and is audited."""

from __future__ import annotations

import io
import os
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from fpdf import FPDF
from PIL import Image

from portal.audit.display import describe
from portal.audit.models import AuditEntry
from portal.core import tenancy
from portal.documents import previews, rendering, services
from portal.documents.models import Document, DocumentPreview, DocumentRead
from portal.offices.middleware import SESSION_KEY
from portal.offices.models import Office, OfficeHost

from .factories import DossierFactory, StaffFactory, UserFactory, grant
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


# A page whose text field shows "NIET UITGEVOERD"; the PDF's JavaScript, run when the document
# opens (OpenAction) and at document level (Names/JavaScript), would set it to "UITGEVOERD" and
# draw over the page. A viewer that ran it would show another page image.
JS = b"this.getField('status').value = 'UITGEVOERD'; app.alert('script ran');"
PDF_WITH_JAVASCRIPT = raw_pdf(
    [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R /AcroForm << /Fields [6 0 R] >>"
        b" /Names << /JavaScript << /Names [(init) 5 0 R] >> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R"
        b" /Resources << /Font << /F1 7 0 R >> >> /Annots [6 0 R] >>",
        b"<< /Length 44 >>\nstream\nBT /F1 18 Tf 20 150 Td (Volmacht) Tj ET\nendstream",
        b"<< /S /JavaScript /JS (" + JS + b") >>",
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (status) /V (NIET UITGEVOERD)"
        b" /Rect [20 40 280 80] /P 3 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
)


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


def test_a_pdf_with_javascript_is_rendered_and_its_script_never_runs_R_SIG_3(setting):
    """R-SIG-3: a PDF whose JavaScript runs on opening (OpenAction and document-level) renders
    like any PDF, and the script is not run. Why we can say so: pypdfium2's pdfium is built
    without a JavaScript engine (no V8: its build flags are empty), the renderer opens no form
    environment (no ``init_forms``), and the browser only gets WebP images we encoded. Shown:
    the page image is the same as that of the same PDF with the script taken out, so the script
    changed nothing of what is shown (had it run, the field would read "UITGEVOERD")."""
    import pypdfium2.version

    assert "V8" not in pypdfium2.version.PDFIUM_INFO.flags
    assert "XFA" not in pypdfium2.version.PDFIUM_INFO.flags
    staff, _owner, dossier = setting
    hostile = rendered(publish(dossier, staff, PDF_WITH_JAVASCRIPT, "volmacht.pdf"))
    assert hostile.status == "ready" and hostile.page_count == 1
    inert = PDF_WITH_JAVASCRIPT.replace(JS, b" " * len(JS))
    plain = rendered(publish(dossier, staff, inert, "volmacht-zonder-script.pdf"))
    with (
        default_storage.open(hostile.page_name(1)) as a,
        default_storage.open(plain.page_name(1)) as b,
    ):
        hostile_image, plain_image = Image.open(a), Image.open(b)
        assert hostile_image.size == plain_image.size
        assert hostile_image.tobytes() == plain_image.tobytes()


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
