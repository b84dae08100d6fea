"""The office for pages rendered without the context processors: the error pages on
``standalone.html`` (500, 503, the CSRF failure), which still show the same contact and help
block in their footer as every other page (WCAG 2.2 criterion 3.2.6)."""

from __future__ import annotations

import logging
from typing import cast

from django import template

from portal.core import tenancy
from portal.offices.models import Office

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag(takes_context=True)
def footer_office(context) -> Office | None:
    """The template context's office, else the request's (``tenancy``; the middleware read it
    from the cache), else None (the footer then names the portal only)."""
    office = context.get("office")
    if office is not None:
        return office
    try:
        if context.get("database_unavailable"):
            return cast("Office | None", tenancy.chosen_office())
        return cast("Office | None", tenancy.current_office())
    except Exception:  # an error page must render whatever else is broken
        logger.warning("error page without the office's contact details", exc_info=True)
        return None
