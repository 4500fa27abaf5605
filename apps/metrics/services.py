"""Reading the counters: the daily report mailed to staff and the dashboard's series."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from apps.core import emails

from .api import METRICS, Metric, metric
from .models import Counter


def format_value(m: Metric, value: float) -> str:
    """A counter's value as people read it: money in units, counts with separators.

    >>> format_value(metric("revenue"), 123456)
    '1,234.56'
    >>> format_value(metric("signups"), 1200)
    '1,200'
    """
    if m.cents:
        return f"{value / 100:,.2f}"
    return f"{value:,.0f}"


def change(value: int, before: int) -> str:
    """The change from ``before`` to ``value``, in percent.

    >>> [change(12, 10), change(5, 10), change(3, 0), change(0, 0)]
    ['+20%', '-50%', 'new', '±0%']
    """
    if before == 0:
        return "new" if value else "±0%"
    percent = round((value - before) * 100 / abs(before))
    return "±0%" if percent == 0 else f"{percent:+d}%"


@dataclass
class ReportRow:
    """One metric's line in the report, as the mail shows it."""

    label: str
    shown: str
    previous_shown: str
    vs_previous: str
    last_week_shown: str
    vs_last_week: str


@dataclass
class Report:
    day: datetime.date
    previous_day: datetime.date
    last_week_day: datetime.date
    rows: list[ReportRow]


def _names(seen: set[str]) -> list[str]:
    """The catalogue's metrics in order, then any others that were counted."""
    return [*METRICS, *sorted(seen - set(METRICS))]


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def daily_report(day: datetime.date | None = None) -> Report:
    """``day``'s numbers (yesterday by default) against the day before and a week before."""
    day = day or yesterday()
    previous_day = day - datetime.timedelta(days=1)
    last_week_day = day - datetime.timedelta(days=7)
    values: dict[tuple[datetime.date, str], int] = {
        (d, name): value
        for d, name, value in Counter.objects.filter(day__in=[day, previous_day, last_week_day]).values_list(
            "day", "name", "value"
        )
    }
    rows = []
    for name in _names({name for _, name in values}):
        m = metric(name)
        value, previous, last_week = (values.get((d, name), 0) for d in (day, previous_day, last_week_day))
        rows.append(
            ReportRow(
                label=m.label,
                shown=format_value(m, value),
                previous_shown=format_value(m, previous),
                vs_previous=change(value, previous),
                last_week_shown=format_value(m, last_week),
                vs_last_week=change(value, last_week),
            )
        )
    return Report(day, previous_day, last_week_day, rows)


def report_recipients() -> QuerySet:
    """Staff who get the daily report: active, with an address."""
    return get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="").order_by("pk")


def send_report_to(email: str, report: Report) -> None:
    """Mail ``report`` to one address."""
    emails.send(
        "metrics_report",
        email,
        {"report": report, "dashboard_url": emails.absolute(reverse("metrics:dashboard"))},
    )


def send_report(day: datetime.date | None = None) -> int:
    """Mail the daily report to every active staff user; how many were sent."""
    report = daily_report(day)
    sent = 0
    for email in report_recipients().values_list("email", flat=True):
        send_report_to(email, report)
        sent += 1
    return sent


@dataclass
class MetricSeries:
    metric: Metric
    days: list[datetime.date]
    values: list[int]

    def last(self, n: int) -> tuple[list[datetime.date], list[int]]:
        return self.days[-n:], self.values[-n:]

    def total(self, n: int) -> str:
        return format_value(self.metric, sum(self.values[-n:]))


def daily_series(days: int, today: datetime.date | None = None) -> list[MetricSeries]:
    """Every metric's daily values over the last ``days`` days (today included), in one query."""
    today = today or timezone.localdate()
    first = today - datetime.timedelta(days=days - 1)
    calendar = [first + datetime.timedelta(days=i) for i in range(days)]
    by_name: dict[str, dict[datetime.date, int]] = defaultdict(dict)
    for d, name, value in Counter.objects.filter(day__gte=first, day__lte=today).values_list(
        "day", "name", "value"
    ):
        by_name[name][d] = value
    return [
        MetricSeries(metric(name), calendar, [by_name[name].get(d, 0) for d in calendar])
        for name in _names(set(by_name))
    ]
