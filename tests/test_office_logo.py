"""The office logo (R-ACC-5, R-X-3): set in the admin and checked like any upload (an SVG
rewritten from an allow-list, raster images by their content), shown on the login page, in the
header of every page and in the e-mails, served safely by its own view; the demo office has
one."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from PIL import Image

from portal.notifications.email import queue_email
from portal.offices.logos import clean_logo, sanitise_svg
from portal.offices.models import Office

from .factories import DossierFactory, StaffFactory, UserFactory, grant
from .mail import html_part
from .workspace_helpers import staff_http

pytestmark = pytest.mark.django_db

OFFICE = "Notariskantoor Van Dam & De Boer"
NORMAL_SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="120" height="40" viewBox="0 0 120 40">
  <title>Van Dam &amp; De Boer</title>
  <defs>
    <linearGradient id="shade" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#1f3a5f"/><stop offset="1" stop-color="#2b4c7e"/>
    </linearGradient>
    <symbol id="mark" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></symbol>
  </defs>
  <rect width="120" height="40" rx="6" fill="url(#shade)"/>
  <use xlink:href="#mark" x="4" y="4" width="32" height="32" fill="#ffffff"/>
  <path d="M44 10 L52 30 L60 10" fill="none" stroke="#ffffff" style="stroke-width:3;opacity:.9"/>
  <text x="66" y="26" font-family="Georgia, serif" font-size="14" fill="#ffffff">VD&amp;DB</text>
</svg>"""
EVIL_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 10 10" onload="alert('onload')">
  <script type="text/javascript">alert('script')</script>
  <style>@import url("https://evil.example/track.css");</style>
  <a href="javascript:alert('link')"><rect width="5" height="5"/></a>
  <a xlink:href="javascript:alert('xlink')"><circle r="2"/></a>
  <rect width="10" height="10" onclick="alert('click')" onmouseover="alert('over')"
        fill="url(https://evil.example/paint.svg#p)" style="fill:url(http://evil.example/x)"/>
  <use xlink:href="https://evil.example/sprite.svg#icon"/>
  <image href="https://evil.example/pixel.png" width="1" height="1"/>
  <foreignObject width="10" height="10">
    <div xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example/"/></div>
  </foreignObject>
  <set attributeName="href" to="javascript:alert('set')"/>
  <circle cx="5" cy="5" r="3" fill="#c8102e"/>
</svg>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>"""


def png_bytes(size=(40, 20), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#1f3a5f").save(out, fmt)
    return out.getvalue()


def set_logo(data: bytes, name: str = "logo.svg") -> Office:
    office = Office.current()
    office.name = OFFICE
    office.logo = clean_logo(ContentFile(data, name=name))
    office.save()
    return office


def test_sanitiser_removes_script_handlers_and_external_references_R_X_3():
    """R-X-3, issue 14 item 22: script, event handlers, javascript: links, style elements,
    external references (href, url(), images), foreignObject and animations are removed."""
    clean = sanitise_svg(EVIL_SVG).decode()
    for gone in (
        "script",
        "alert",
        "onload",
        "onclick",
        "onmouseover",
        "javascript",
        "evil.example",
        "@import",
        "<style",
        "foreignObject",
        "iframe",
        "<image",
        "<a ",
        "<set",
        "xhtml",
    ):
        assert gone not in clean, (gone, clean)
    assert '<circle cx="5" cy="5" r="3" fill="#c8102e" />' in clean
    assert clean.count("<rect") == 1  # the one outside the link, without its handlers


def test_sanitiser_keeps_a_normal_logo_R_X_3():
    """R-X-3, issue 14 item 22: a normal logo keeps its drawing: gradients, a symbol used by
    fragment, paths, styles, text."""
    clean = sanitise_svg(NORMAL_SVG).decode()
    assert clean.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    assert 'xmlns="http://www.w3.org/2000/svg"' in clean
    for kept in (
        'viewBox="0 0 120 40"',
        "<title>Van Dam &amp; De Boer</title>",
        '<stop offset="0" stop-color="#1f3a5f" />',
        'fill="url(#shade)"',
        'xlink:href="#mark"',
        '<symbol id="mark" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" /></symbol>',
        'd="M44 10 L52 30 L60 10"',
        'style="stroke-width:3;opacity:.9"',
        ">VD&amp;DB</text>",
    ):
        assert kept in clean, (kept, clean)
    # Clean output is a fixed point: sanitising it again changes nothing.
    assert sanitise_svg(clean.encode()).decode() == clean


@pytest.mark.parametrize("svg", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["entities", "external"])
def test_svg_with_entity_declarations_is_refused_R_X_3(svg):
    """R-X-3, issue 14 item 22: entity expansion and external entities are refused, with a
    clear message, before anything is expanded or read."""
    with pytest.raises(ValidationError) as refused:
        clean_logo(ContentFile(svg, name="logo.svg"))
    assert "declareert entiteiten" in refused.value.messages[0]


def test_svg_with_the_usual_doctype_line_is_accepted_R_X_3():
    """R-X-3, issue 14 item 22: the DOCTYPE line drawing programs write (no entities) is no
    reason to refuse a logo; it is not in the stored file."""
    svg = NORMAL_SVG.replace(
        b"<svg ",
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg ',
        1,
    )
    stored = clean_logo(ContentFile(svg, name="logo.svg")).read()
    assert b"DOCTYPE" not in stored and b"w3.org/Graphics" not in stored
    assert stored == sanitise_svg(NORMAL_SVG)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "logo.png"),
        (b"<html><script>alert(1)</script></html>", "logo.svg"),
        (b"just some text", "logo.svg"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', "logo.svg"),
        (png_bytes()[:40], "logo.png"),  # a cut-off PNG
        (b"GIF89a" + b"\x00" * 40, "logo.gif"),
    ],
    ids=["pdf-named-png", "html", "text", "xhtml", "truncated-png", "gif"],
)
def test_not_an_image_is_refused_with_a_clear_message_R_X_3(data, name):
    """R-X-3, issue 14 item 22: the content decides, not the name: anything but a PNG, JPEG,
    WebP or SVG image is refused with a message that says what is accepted."""
    with pytest.raises(ValidationError) as refused:
        clean_logo(ContentFile(data, name=name))
    assert refused.value.messages == [
        "Het logo moet een PNG-, JPEG-, WebP- of SVG-afbeelding zijn; dit bestand is dat niet."
    ]


def test_raster_logos_are_typed_by_content_R_X_3():
    """R-X-3, issue 14 item 22: a PNG named .svg is stored as a PNG, a JPEG and a WebP are
    accepted, an image of huge dimensions is refused."""
    assert clean_logo(ContentFile(png_bytes(), name="logo.svg")).name == "logo.png"
    assert clean_logo(ContentFile(png_bytes(fmt="JPEG"), name="x")).name == "logo.jpg"
    assert clean_logo(ContentFile(png_bytes(fmt="WEBP"), name="x.png")).name == "logo.webp"
    with pytest.raises(ValidationError, match="4000"):
        clean_logo(ContentFile(png_bytes(size=(4001, 1)), name="wide.png"))


def test_admin_upload_is_checked_R_ACC_5_R_X_3(admin_client, django_capture_on_commit_callbacks):
    """R-ACC-5 / R-X-3, issue 14 item 22: the office sets its logo in the admin; a file that
    is not an image is refused there with a clear message and the stored logo is kept; an SVG
    is stored sanitised."""
    office = Office.current()
    url = f"/beheer/offices/office/{office.pk}/change/"
    form = {
        "name": OFFICE,
        "website": "",
        "phone": "",
        "email_sender": "",
        "primary_colour": "#1f3a5f",
        "accent_colour": "#c8102e",
    }
    saved = admin_client.post(
        url, {**form, "logo": SimpleUploadedFile("Ons Logo.svg", EVIL_SVG, "image/svg+xml")}
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    office.refresh_from_db()
    assert office.logo.name.endswith(".svg") and "Ons Logo" not in office.logo.name
    stored = office.logo.read().decode()
    assert "<circle" in stored and "alert" not in stored and "evil.example" not in stored

    first = office.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        replaced = admin_client.post(
            url, {**form, "logo": SimpleUploadedFile("logo.svg", NORMAL_SVG, "image/svg+xml")}
        )
    assert replaced.status_code == 302
    office.refresh_from_db()
    assert office.logo.name != first
    assert not office.logo.storage.exists(first)  # the replaced logo is removed

    refused = admin_client.post(
        url, {**form, "logo": SimpleUploadedFile("logo.png", b"MZ\x90\x00 not a picture")}
    )
    assert refused.status_code == 200
    assert "Het logo moet een PNG-, JPEG-, WebP- of SVG-afbeelding zijn" in refused.content.decode()
    office.refresh_from_db()
    assert office.logo.name.endswith(".svg")  # the stored logo is kept


def test_logo_on_login_page_header_and_emails_R_ACC_5(run, mailoutbox):
    """R-ACC-5, issue 14 item 22: the logo is on the login page, in the header of a client page
    and of the workspace, and in the e-mail's HTML by the absolute URL of the public logo view
    with the office name as alt text; the text part has no image. A new logo gets a new URL."""
    office = set_logo(NORMAL_SVG)
    logo_url = office.logo_url
    assert re.fullmatch(r"/kantoor/logo/\?v=[0-9a-f]{16}", logo_url)
    header_logo = f'<img src="{logo_url}" alt="" class="brand-logo">'

    assert header_logo in HttpClient().get("/inloggen/").content.decode()
    owner = UserFactory()
    dossier = DossierFactory()
    grant(dossier, owner.client)
    client = HttpClient()
    client.force_login(owner)
    for page in ("/", f"/dossiers/{dossier.pk}/", "/mijn-gegevens/"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert header_logo in response.content.decode(), page
    assert header_logo in staff_http(StaffFactory()).get("/kantoor/").content.decode()

    run(queue_email, to_user=owner, template="password_set")
    (mail,) = mailoutbox
    html = html_part(mail)
    assert (
        f'<img src="http://127.0.0.1:8000{logo_url}" alt="Notariskantoor Van Dam &amp; De Boer"'
        in html
    )
    assert "/kantoor/logo/" not in mail.body

    newer = set_logo(png_bytes(), name="logo.png")
    assert newer.logo_url != logo_url


def test_logo_view_headers_R_ACC_5_R_X_3():
    """R-ACC-5 / R-X-3, issue 14 item 22: the public logo view sends the type found in the
    content, nosniff, and a policy under which a served SVG can neither run script nor load
    anything."""
    set_logo(NORMAL_SVG)
    svg = HttpClient().get(Office.current().logo_url)
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg["X-Content-Type-Options"] == "nosniff"
    assert (
        svg["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    assert b"".join(svg.streaming_content).startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    # The e-mails load it from a webmail page on another origin; every other answer stays
    # same-origin.
    assert svg["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert HttpClient().get("/inloggen/")["Cross-Origin-Resource-Policy"] == "same-origin"

    head = HttpClient().head(Office.current().logo_url)  # mail clients and proxies ask so
    assert head.status_code == 200 and head["Content-Type"] == "image/svg+xml"

    set_logo(png_bytes(), name="logo.svg")
    png = HttpClient().get("/kantoor/logo/")
    assert png["Content-Type"] == "image/png"
    assert png["X-Content-Type-Options"] == "nosniff"


def test_demo_office_has_a_sanitised_svg_logo_R_ACC_5(
    settings, django_capture_on_commit_callbacks, mailoutbox
):
    """R-ACC-5, issue 14 item 22: the demo office (Van Dam & De Boer) has a logo made for the
    demo: an SVG that passed the sanitiser unchanged in substance, served by the logo view and
    in the demo's e-mails."""
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=io.StringIO())
    office = Office.current()
    assert office.name == OFFICE
    assert office.logo.name.endswith(".svg")
    stored = office.logo.read()
    assert sanitise_svg(stored) == stored
    assert b"<path" in stored and b"#1f3a5f" in stored
    response = HttpClient().get(office.logo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"

    # Its e-mails show the logo from its own host (R-TEN-1): the demo serves it at localhost.
    invitations = [m for m in mailoutbox if "account" in m.subject.lower()]
    assert office.base_url == "http://localhost:8000"
    own = [m for m in invitations if f'src="{office.base_url}{office.logo_url}"' in html_part(m)]
    assert own


def count_queries(http, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200, url
    return len(captured.captured_queries)


def test_logo_adds_no_query_to_pages_R_ACC_5():
    """R-ACC-5, issue 14 item 22: the header's logo comes from the office row the page already
    has (Office.cached): a client page, the login page and the workspace run the same number of
    queries with and without a logo."""
    Office.current()
    owner = UserFactory()
    dossier = DossierFactory()
    grant(dossier, owner.client)
    client = HttpClient()
    client.force_login(owner)
    staff = staff_http(StaffFactory())
    pages = [
        (client, "/"),
        (client, f"/dossiers/{dossier.pk}/"),
        (HttpClient(), "/inloggen/"),
        (staff, "/kantoor/"),
    ]
    without = [count_queries(http, url) for http, url in pages]
    set_logo(NORMAL_SVG)
    with_logo = [count_queries(http, url) for http, url in pages]
    assert with_logo == without
    assert "brand-logo" in client.get("/").content.decode()
