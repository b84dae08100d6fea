from django import template

from portal.audit.display import describe

register = template.Library()


@register.filter
def sentence(entry) -> str:
    """An audit entry as a sentence in the active language (``audit.display.describe``)."""
    return describe(entry)
