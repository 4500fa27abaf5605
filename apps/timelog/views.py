"""The staff timelog page: the per-view table and a chart of p95 per view over time.

It reads the last ``TIMELOG_PAGE_MAX_BYTES`` of this web node's timelog (and its
rotated backups), so it stays fast whatever the size of the log.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.charts import Series, line_chart
from apps.core.staff import staff_required

from .analysis import p95_over_time, rotated_paths, summarize, tail_entries
from .forms import PERIODS, PeriodForm

CHART_VIEWS = 6  # the views with the most total time get a line each


def _bucket_label(moment: datetime.datetime, bucket_seconds: int) -> str:
    return moment.strftime("%-d %b" if bucket_seconds >= 86400 else "%H:%M")


@staff_required
def report(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    period = "24h"
    if form.is_bound:
        if form.is_valid():
            period = form.cleaned_data["since"]
        else:
            messages.error(request, _("Choose one of the periods in the list; showing the last 24 hours."))
            form = PeriodForm(initial={"since": period})
    label, back, bucket = PERIODS[period]
    since = timezone.now() - datetime.timedelta(seconds=back)
    skipped = 0

    def count_skipped(*args) -> None:
        nonlocal skipped
        skipped += 1

    entries = list(
        tail_entries(
            rotated_paths(settings.TIMELOG_LOG),
            settings.TIMELOG_PAGE_MAX_BYTES,
            since=since,
            on_error=count_skipped,
        )
    )
    stats = summarize(entries)
    chart = None
    if stats:
        views = [s.view for s in stats[:CHART_VIEWS]]
        times, series = p95_over_time(entries, views, bucket)
        chart = line_chart(
            [_bucket_label(t, bucket) for t in times],
            [Series(view, series[view]) for view in views],
            title=_("p95 response time per view, %(period)s") % {"period": label.lower()},
            unit=" ms",
            height=260,
        )
    context = {
        "form": form,
        "stats": stats,
        "chart": chart,
        "requests": len(entries),
        "skipped": skipped,
        "bucket_minutes": bucket // 60,
        "oldest": entries[0].time if entries else None,
        "chart_views": min(len(stats), CHART_VIEWS),
    }
    return render(request, "timelog/report.html", context)
