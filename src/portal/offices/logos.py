"""The office logo: checked like any upload before it is stored (R-X-3), because it is the one
public file and it is shown on every page and in e-mails.

``clean_logo`` decides the type from the content, never from the name: PNG, JPEG or WebP
(opened and verified by Pillow, no markup in its first bytes, at most ``MAX_PIXELS`` a side) or
SVG. An SVG is parsed with defusedxml (an entity declaration, and with it every expansion or
external-entity trick, is refused) and rewritten from an allow-list of elements and
attributes: no script, event handlers, ``foreignObject``, ``style`` elements, images, links or
animations; ``href`` and ``url(…)`` only to ``#fragments`` in the same file. What is left is
serialised again, so the stored file is what the allow-list produced, not the upload. Then the
malware scan, as for documents. A refused file raises ``ValidationError`` with a message for
the office.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 - only to build and write; parsing is defusedxml

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils.translation import gettext as _

from portal.files.filetypes import IMAGE_MARKUP
from portal.files.scanning import scan
from portal.files.uploads import UploadRejected, too_large_message

MAX_BYTES = 1024 * 1024
MAX_PIXELS = 4000
MAX_SVG_ELEMENTS = 5000

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

RASTER_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}

#: Drawing elements only. Left out on purpose: script, style, foreignObject, image, a, use of
#: other files, animate/set (they can rewrite an href), filters (feImage loads files), metadata.
SVG_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "textPath",
        "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern",
    }
)  # fmt: skip
#: Geometry and presentation. No ``on…`` handler is in it, so every event handler goes.
SVG_ATTRIBUTES = frozenset(
    {
        "id", "class", "version", "viewBox", "preserveAspectRatio", "width", "height",
        "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "d",
        "points", "transform", "pathLength", "dx", "dy", "rotate", "textLength",
        "lengthAdjust", "startOffset", "offset", "gradientUnits", "gradientTransform",
        "spreadMethod", "clipPathUnits", "maskUnits", "maskContentUnits", "patternUnits",
        "patternContentUnits", "patternTransform", "role", "aria-label", "aria-hidden",
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap",
        "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset",
        "stroke-opacity", "opacity", "color", "clip-path", "clip-rule", "mask", "display",
        "visibility", "stop-color", "stop-opacity", "font-family", "font-size", "font-weight",
        "font-style", "font-variant", "text-anchor", "dominant-baseline", "letter-spacing",
        "word-spacing", "text-decoration", "vector-effect", "shape-rendering",
        "text-rendering", "paint-order", "style",
    }
)  # fmt: skip
#: CSS properties kept in a ``style`` attribute: the presentation attributes above.
STYLE_PROPERTIES = SVG_ATTRIBUTES - {
    "id", "class", "version", "viewBox", "preserveAspectRatio", "d", "points", "transform",
    "role", "aria-label", "aria-hidden", "style",
}  # fmt: skip

_URL = re.compile(r"url\s*\(", re.IGNORECASE)
_LOCAL_URL = re.compile(r"""url\(\s*(['"]?)#[\w.:-]+\1\s*\)""", re.IGNORECASE)
_LOCAL_HREF = re.compile(r"#[\w.:-]+")
_UNSAFE_VALUE = re.compile(r"[\\<>]|@import|expression\s*\(|javascript:", re.IGNORECASE)


def not_an_image() -> ValidationError:
    return ValidationError(
        _("The logo must be a PNG, JPEG, WebP or SVG image; this file is not one."),
        code="logo_type",
    )


def clean_logo(upload) -> ContentFile:
    """The logo to store for ``upload`` (a file): checked, an SVG rewritten; its name is
    ``logo.<type>`` by the content. Raises ``ValidationError`` with a clear message."""
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_BYTES:
        raise ValidationError(too_large_message(MAX_BYTES), code="logo_size")
    if not data:
        raise ValidationError(_("The file is empty."), code="logo_empty")
    extension = _raster_type(data)
    if extension is None:
        if not _looks_like_xml(data):
            raise not_an_image()
        data, extension = sanitise_svg(data), "svg"
    try:
        scan(File(io.BytesIO(data)))
    except UploadRejected as exc:
        raise ValidationError(str(exc), code="logo_scan") from exc
    return ContentFile(data, name=f"logo.{extension}")


def _raster_type(data: bytes) -> str | None:
    # Pillow takes a few hundred milliseconds to import: only a process that checks a logo pays
    # for it, not every web worker.
    from PIL import Image  # noqa: PLC0415

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = RASTER_FORMATS.get(image.format or "")
            if kind is None:
                return None
            size = image.size
            image.verify()
    except Exception:  # anything Pillow cannot open or verify is not a raster logo
        return None
    if max(size) > MAX_PIXELS:
        raise ValidationError(
            _("The logo is too large: at most %(pixels)s pixels wide and high.")
            % {"pixels": MAX_PIXELS},
            code="logo_pixels",
        )
    if IMAGE_MARKUP.search(data[:8192]):
        raise not_an_image()
    return kind


def _looks_like_xml(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype"))


def sanitise_svg(data: bytes) -> bytes:
    """``data`` rewritten from the allow-list; raises ``ValidationError`` if it is not SVG."""
    try:
        # A DOCTYPE line as drawing programs write it is fine (expat never fetches the DTD);
        # any entity declaration, and with it entity expansion, is refused.
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as exc:
        raise ValidationError(
            _(
                "This SVG file could not be read: it is not well-formed, or it declares "
                "entities. Save it again as plain SVG."
            ),
            code="logo_svg",
        ) from exc
    if _local_name(root.tag) != "svg" or sum(1 for _e in root.iter()) > MAX_SVG_ELEMENTS:
        raise not_an_image()
    svg = ET.tostring(_clean_element(root), encoding="unicode")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + svg.encode()


def _local_name(tag) -> str | None:
    """The SVG element name of ``tag``, or None for anything outside SVG (comments, other
    namespaces). A file without the SVG namespace is read as SVG."""
    if not isinstance(tag, str):
        return None
    if tag.startswith("{"):
        namespace, _brace, name = tag[1:].partition("}")
        return name if namespace == SVG_NS else None
    return tag


def _clean_element(element: ET.Element) -> ET.Element:
    name = _local_name(element.tag)
    clean = ET.Element(f"{{{SVG_NS}}}{name}")
    for key, value in element.attrib.items():
        kept = _clean_attribute(key, value)
        if kept is not None:
            clean.set(*kept)
    if name in {"text", "tspan", "textPath", "title", "desc"}:
        clean.text = element.text
    for child in element:
        child_name = _local_name(child.tag)
        if child_name in SVG_ELEMENTS:
            cleaned = _clean_element(child)
            if child_name in {"text", "tspan", "textPath"}:
                cleaned.tail = child.tail
            clean.append(cleaned)
    return clean


def _clean_attribute(key: str, value: str) -> tuple[str, str] | None:
    if key in {f"{{{XLINK_NS}}}href", "href"}:
        # Only a reference inside this file (a gradient, a clip path, a symbol).
        return (key, value) if _LOCAL_HREF.fullmatch(value.strip()) else None
    if key == f"{{{XML_NS}}}space":
        return key, value
    if key not in SVG_ATTRIBUTES:
        return None
    if key == "style":
        style = _clean_style(value)
        return (key, style) if style else None
    if not _safe_value(value):
        return None
    return key, value


def _safe_value(value: str) -> bool:
    if _UNSAFE_VALUE.search(value):
        return False
    # Every url(…) must point inside this file.
    return len(_URL.findall(value)) == len(_LOCAL_URL.findall(value))


def _clean_style(style: str) -> str:
    kept = []
    for declaration in style.split(";"):
        prop, colon, value = declaration.partition(":")
        prop, value = prop.strip().lower(), value.strip()
        if colon and prop in STYLE_PROPERTIES and value and _safe_value(value):
            kept.append(f"{prop}:{value}")
    return ";".join(kept)
