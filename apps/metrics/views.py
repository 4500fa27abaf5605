"""The staff dashboard: a chart of each metric over the last 30 and 90 days."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from apps.core.charts import Series, bar_chart, line_chart
from apps.core.staff import staff_required

from . import services


def _chart_row(series: services.MetricSeries) -> dict:
    scale = 100 if series.metric.cents else 1
    row = {"metric": series.metric, "total_30": series.total(30), "total_90": series.total(90)}
    days, values = series.last(30)
    row["chart_30"] = bar_chart(
        [d.strftime("%-d %b") for d in days],
        [v / scale for v in values],
        title=_("%(metric)s, last 30 days") % {"metric": series.metric.label},
        width=480,
        height=200,
    )
    days, values = series.last(90)
    row["chart_90"] = line_chart(
        [d.strftime("%-d %b") for d in days],
        [Series(series.metric.label, [v / scale for v in values])],
        title=_("%(metric)s, last 90 days") % {"metric": series.metric.label},
        width=480,
        height=200,
    )
    return row


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    rows = [_chart_row(series) for series in services.daily_series(90)]
    return render(request, "metrics/dashboard.html", {"rows": rows})
