"""Dates of the retention periods (R-RET-1), in the portal's time zone.

A dossier closed on day D with a period of M months is kept through D + M months (a month
later on the same day, or the month's last day when it is shorter) and is removed from the
first day after that: ``removal_date``. The sweep selects with the moment before which a
dossier must have closed to be due today (``closed_before``), the exact inverse."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from django.utils import timezone

DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` (back when negative), on the month's last day when the
    target month is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def removal_date(closed_at: datetime, months: int) -> date:
    """The first day on which content kept ``months`` after ``closed_at`` is removed."""
    return add_months(timezone.localdate(closed_at), months) + DAY


def closed_before(months: int, today: date | None = None) -> datetime:
    """Content kept ``months`` is due ``today`` for dossiers closed before the moment returned
    (the start of a day in the portal's time zone): the first closing day ``d`` with
    ``removal_date(d) > today``. Month ends make ``add_months`` not invertible by subtraction,
    so the day is found by stepping from an estimate."""
    today = today or timezone.localdate()
    day = add_months(today, -months)
    while add_months(day, months) + DAY <= today:
        day += DAY
    while add_months(day - DAY, months) + DAY > today:
        day -= DAY
    return timezone.make_aware(datetime.combine(day, time.min))
