"""The staff metrics dashboard: SVG charts of each metric over 30 and 90 days."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.metrics.api import METRICS
from apps.metrics.models import Counter

URL = reverse("metrics:dashboard")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def add(days_ago: int, name: str, value: int) -> None:
    Counter.objects.create(
        day=timezone.localdate() - datetime.timedelta(days=days_ago), name=name, value=value
    )


def section(page: str, name: str) -> str:
    return re.search(rf'<section[^>]*id="metric-{name}".*?</section>', page, re.S)[0]


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={URL}"


def test_couples_who_are_not_staff_are_turned_away(owner_client):
    response = owner_client.get(URL)

    assert response.status_code == 403
    assert "These pages are for Whisper’s staff" in response.content.decode()  # not the admin login
    assert b"<svg" not in response.content


def test_staff_see_two_charts_of_every_metric(staff_client):
    add(0, "signups", 4)
    add(10, "signups", 6)
    add(60, "signups", 5)

    response = staff_client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<svg") == 2 * len(METRICS)
    signups = section(page, "signups")
    assert "Last 30 days, per day — total 10" in signups
    assert "Last 90 days, per day — total 15" in signups
    bars = re.findall(r"<rect [^>]*><title>([^<]*)</title>", signups)
    assert len(bars) == 30
    today = timezone.localdate()
    assert f"{today.day} {today:%b}: 4" in bars[-1]
    assert "<polyline" in signups
    assert "style=" not in page[page.index("<svg") :]


def test_revenue_is_shown_in_currency_units(staff_client):
    add(1, "revenue", 123456)

    page = staff_client.get(URL).content.decode()

    assert "total 1,234.56" in section(page, "revenue")


def test_metrics_counted_by_other_apps_appear_too(staff_client):
    add(2, "exports", 3)

    page = staff_client.get(URL).content.decode()

    assert "Exports" in section(page, "exports")


def test_the_table_totals_each_metric(staff_client):
    add(5, "items", 7)
    add(45, "items", 3)

    page = staff_client.get(URL).content.decode()

    row = re.search(r'<a href="#metric-items">Items added</a></td><td>(.*?)</td><td>(.*?)</td>', page)
    assert row.groups() == ("7", "10")


def test_queries_do_not_grow_with_the_data(staff_client):
    with CaptureQueriesContext(connection) as empty:
        staff_client.get(URL)
    for days_ago in range(90):
        for name in METRICS:
            add(days_ago, name, days_ago + 1)
    with CaptureQueriesContext(connection) as full:
        staff_client.get(URL)

    assert len(empty) <= 4
    assert len(full) <= 4
