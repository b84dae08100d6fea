"""The staff inbox's counts (its rows are Jinja2 templates: workspace/jinja2/workspace/)."""

from django import template

from portal.workspace.queries import COUNT_CAP

register = template.Library()


@register.filter
def capped(count: int) -> str:
    """An inbox count: "1000+" once it passes the cap (counting stops there)."""
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)
