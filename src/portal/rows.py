"""Helpers for template tags that build the rows of long tables in Python: the URL
of a row without a ``reverse()`` per row, and the ``date`` filter's output without the
template engine. See ``dossiers/templatetags/client_tables.py``."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3

_MARK = 987654321987


class UrlPattern:
    """``reverse(name, args=…)`` once for a whole table: ``pattern.url(*args)`` then gives the
    URL of a row by filling in its integer arguments, the same text ``reverse`` gives."""

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


class DateFormat:
    """``value|date:"j M Y"`` and ``value|date:"j M Y H:i"`` of the ``date`` filter: the value
    in the current time zone, the month's short name in the current language, "" for None."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()
        self.months: dict[int, str] = {}

    def _local(self, value):
        return value.astimezone(self.zone) if timezone.is_aware(value) else value

    def _month(self, month: int) -> str:
        name = self.months.get(month)
        if name is None:
            name = self.months[month] = str(MONTHS_3[month].title())
        return name

    def day(self, value) -> str:
        if value in (None, ""):
            return ""
        value = self._local(value)
        return f"{value.day} {self._month(value.month)} {value.year:04d}"

    def minute(self, value) -> str:
        if value in (None, ""):
            return ""
        value = self._local(value)
        return f"{self.day(value)} {value.hour:02d}:{value.minute:02d}"
