"""What a long table's row needs without the cost of the general machinery: the URL of a row
without a ``reverse()`` per row, and the ``date`` filter's two short formats without Django's
date formatter. ``portal.jinja_env`` gives them to the Jinja2 templates as ``url()`` and
``|date``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.timezone import get_current_timezone
from django.utils.translation import get_language

_MARK = 987654321987


class UrlPattern:
    """``reverse(name, args=…)`` once: ``pattern.url(*args)`` then gives the URL of a row by
    filling in its integer arguments, the same text ``reverse`` gives."""

    def __init__(self, name: str, *fixed, variable: int = 1) -> None:
        marks = [_MARK + i for i in range(variable)]
        url = reverse(name, args=[*fixed, *marks])
        template = url.replace("{", "{{").replace("}", "}}")
        for i, mark in enumerate(marks):
            if template.count(str(mark)) != 1:  # pragma: no cover - every <int:…> appears once
                raise ValueError(f"{name}: argument {i} does not appear once in {url}")
            template = template.replace(str(mark), "{%d}" % i)  # noqa: UP031
        self.template = template

    def url(self, *args: int) -> str:
        return self.template.format(*(int(arg) for arg in args))


_months: dict[tuple[str | None, int], str] = {}


def _month(month: int) -> str:
    key = (get_language(), month)
    name = _months.get(key)
    if name is None:
        name = _months[key] = str(MONTHS_3[month].title())
    return name


def _local(value):
    """The ``date`` filter's conversion of an aware value to the current time zone (what
    ``template_localtime`` does, with fewer steps: this runs for every row)."""
    if getattr(value, "tzinfo", None) is not None:
        return value.astimezone(get_current_timezone())
    return value


def day(value) -> str:
    """``value|date:"j M Y"``: in the current time zone, the month's short name in the current
    language; "" for None."""
    if value in (None, ""):
        return ""
    value = _local(value)
    return f"{value.day} {_month(value.month)} {value.year:04d}"


def minute(value) -> str:
    """``value|date:"j M Y H:i"``."""
    if value in (None, ""):
        return ""
    value = _local(value)
    return f"{value.day} {_month(value.month)} {value.year:04d} {value.hour:02d}:{value.minute:02d}"
