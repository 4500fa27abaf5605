"""The staff timelog page: the per-view table and the p95 chart."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory

URL = reverse("timelog:report")


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(email="ops@example.com", is_staff=True))
    return client


def write_log(path, entries) -> None:
    """Timelog lines for (minutes ago, view, ms, queries) tuples."""
    now = datetime.datetime.now(datetime.UTC)
    with path.open("a") as f:
        for minutes_ago, view, ms, queries in entries:
            when = now - datetime.timedelta(minutes=minutes_ago)
            line = {"time": when.isoformat(), "view": view, "method": "GET", "status": 200}
            f.write(json.dumps(line | {"ms": ms, "queries": queries, "cached": False}) + "\n")


def test_anonymous_visitors_are_sent_to_log_in(client, timelog_path):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={URL}"


def test_couples_who_are_not_staff_are_turned_away(owner_client, timelog_path):
    response = owner_client.get(URL)

    assert response.status_code == 403
    assert "These pages are for Whisper’s staff" in response.content.decode()  # not the admin login
    assert b"Timelog" not in response.content


def test_staff_see_the_table_and_a_p95_chart(staff_client, timelog_path):
    write_log(
        timelog_path,
        [(50, "registries:public", ms, 3) for ms in (10, 20, 30, 40, 100)]
        + [(30, "pages:home", 6, 0), (20, "pages:home", 8, 0)]
        + [(60 * 48, "items:add", 999, 9)],  # two days ago: outside the last 24 hours
    )

    response = staff_client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    row = re.search(r"<code>registries:public</code>(.*?)</tr>", page, re.S)[1]
    assert re.findall(r'class="num">([^<]*)<', row) == ["5", "0.20", "40.0", "30.0", "100.0", "100.0", "3.0"]
    assert "<code>pages:home</code>" in page
    assert "items:add" not in page
    svg = re.search(r"<svg.*?</svg>", page, re.S)[0]
    assert "<polyline" in svg or "<circle" in svg
    assert "registries:public" in svg
    assert "style=" not in svg
    assert "<script" not in page


def test_a_longer_period_includes_older_requests(staff_client, timelog_path):
    write_log(timelog_path, [(60 * 48, "items:add", 999, 9), (10, "pages:home", 6, 0)])

    page = staff_client.get(URL, {"since": "7d"}).content.decode()

    assert "<code>items:add</code>" in page
    assert "<code>pages:home</code>" in page


def test_a_bad_period_says_so_and_shows_the_last_24_hours(staff_client, timelog_path):
    write_log(timelog_path, [(10, "pages:home", 6, 0)])

    response = staff_client.get(URL, {"since": "forever"})

    assert response.status_code == 200
    assert "Choose one of the periods" in response.content.decode()
    assert "<code>pages:home</code>" in response.content.decode()


def test_view_names_in_the_log_are_escaped(staff_client, timelog_path):
    write_log(timelog_path, [(10, "<script>alert(1)</script>", 6, 0)])

    page = staff_client.get(URL).content.decode()

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


def test_no_log_yet_is_an_empty_page_not_an_error(staff_client, timelog_path):
    response = staff_client.get(URL)

    assert response.status_code == 200
    assert "No requests logged in this period" in response.content.decode()


def test_broken_lines_are_counted_not_fatal(staff_client, timelog_path):
    write_log(timelog_path, [(10, "pages:home", 6, 0)])
    with timelog_path.open("a") as f:
        f.write("Traceback (most recent call last):\n\x00\xff garbage\n")

    page = staff_client.get(URL).content.decode()

    assert "<code>pages:home</code>" in page
    assert "2 lines that were not timelog lines were skipped." in page


def test_only_the_end_of_a_big_log_is_read(staff_client, timelog_path, settings):
    write_log(timelog_path, [(20, "registries:public", 10, 3)] * 200 + [(10, "pages:home", 6, 0)] * 5)
    line_size = len(timelog_path.read_text().splitlines()[-1]) + 1
    settings.TIMELOG_PAGE_MAX_BYTES = line_size * 10

    page = staff_client.get(URL).content.decode()

    requests = int(re.search(r"([\d,]+) requests? read", page)[1].replace(",", ""))
    assert 8 <= requests <= 10
    assert "<code>pages:home</code>" in page


def test_rotated_backups_are_read_too(staff_client, timelog_path):
    write_log(timelog_path.with_name("timelog.log.1"), [(30, "items:add", 50, 2)])
    write_log(timelog_path, [(10, "pages:home", 6, 0)])

    page = staff_client.get(URL).content.decode()

    assert "<code>items:add</code>" in page
    assert "<code>pages:home</code>" in page


def test_queries_do_not_grow_with_the_log(staff_client, timelog_path):
    # At most: the session, the user and a switch (the cache is shared, so not always cached).
    write_log(timelog_path, [(10, "pages:home", 6, 0)])
    with CaptureQueriesContext(connection) as small:
        staff_client.get(URL)
    write_log(timelog_path, [(5, f"view:{n}", 6, 0) for n in range(50)])
    with CaptureQueriesContext(connection) as big:
        page = staff_client.get(URL).content.decode()

    assert "<code>view:49</code>" in page
    assert len(small) <= 3
    assert len(big) <= 3
