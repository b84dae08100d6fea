"""File sizes in the browser as on the server (R-X-4).

``{% size_units %}`` gives, as JSON for a ``data-`` attribute, the patterns of Django's
``filesizeformat`` in the active language, taken from its own output ("1 byte", "2 bytes",
"1,0 KB" … with the number cut out), for ``static/portal/messages.js``, which fills in the
number with ``Intl.NumberFormat`` of the page's language: a size shown in the upload dialog
reads the same as the one the server shows after the upload ("193 bytes", "1,5 MB").
"""

from __future__ import annotations

import json

from django import template
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format

register = template.Library()

PLACEHOLDER = "__N__"
UNITS = {"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}


@register.simple_tag
def size_units() -> str:
    one = number_format(1.0, 1)  # "1,0" / "1.0": how filesizeformat writes 1 KB, 1 MB, 1 GB
    patterns = {
        # Plural forms of Dutch and English: one for exactly 1, the other form otherwise.
        "byte": filesizeformat(1).replace("1", PLACEHOLDER, 1),
        "bytes": filesizeformat(2).replace("2", PLACEHOLDER, 1),
        **{unit: filesizeformat(size).replace(one, PLACEHOLDER, 1) for unit, size in UNITS.items()},
        "grouping": bool(settings.USE_THOUSAND_SEPARATOR),
    }
    return json.dumps(patterns, ensure_ascii=False)
