"""The timelog middleware writes one JSON line per request."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.timelog.benchmark import measure_overhead

pytestmark = pytest.mark.django_db

DEMO_URLS = "tests.timelog.urls"


@pytest.fixture
def demo_urls(settings):
    settings.ROOT_URLCONF = DEMO_URLS


def test_one_line_per_request_with_route_name_status_and_query_count(
    client, demo_urls, settings, read_timelog
):
    # The timelog alone, so the view's queries are all there is to count.
    settings.MIDDLEWARE = ["apps.timelog.middleware.TimelogMiddleware"]
    response = client.get("/demo/three/")

    assert response.status_code == 200
    [line] = read_timelog()
    assert line["view"] == "demo:three"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["queries"] == 3
    assert line["cached"] is False
    assert 0 < line["ms"] < 10_000
    logged_at = datetime.datetime.fromisoformat(line["time"])
    assert abs(logged_at - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)


def test_every_query_of_the_whole_stack_is_counted(admin_client, demo_urls, read_timelog):
    """First in MIDDLEWARE, it also counts the session, auth and other middleware's queries."""
    with CaptureQueriesContext(connection) as ran:
        admin_client.post("/demo/three/")

    [line] = read_timelog()
    assert line["queries"] == len(ran) >= 3


def test_each_request_gets_its_own_line(client, demo_urls, read_timelog):
    client.get("/demo/three/")
    client.post("/demo/tagged/")
    client.get("/demo/three/")

    assert [(line["view"], line["method"]) for line in read_timelog()] == [
        ("demo:three", "GET"),
        ("demo:tagged", "POST"),
        ("demo:three", "GET"),
    ]


def test_the_site_home_page_is_logged_by_route_name_not_path(client, read_timelog):
    client.get("/?utm_source=newsletter")

    [line] = read_timelog()
    assert line["view"] == "pages:home"


def test_a_page_cache_hit_is_marked_cached_and_runs_no_query(client, demo_urls, read_timelog):
    client.get("/demo/cached/")
    client.get("/demo/cached/")

    first, second = read_timelog()
    assert (first["cached"], first["queries"]) == (False, 1)
    assert (second["cached"], second["queries"]) == (True, 0)
    assert second["view"] == "demo:cached"


def test_a_not_modified_answer_is_marked_cached(client, demo_urls, read_timelog):
    response = client.get("/demo/tagged/", HTTP_IF_NONE_MATCH='"v1"')

    assert response.status_code == 304
    [line] = read_timelog()
    assert (line["view"], line["status"], line["cached"]) == ("demo:tagged", 304, True)


def test_a_failing_view_is_logged_as_a_500(demo_urls, read_timelog):
    client = Client(raise_request_exception=False)
    response = client.get("/demo/boom/")

    assert response.status_code == 500
    [line] = read_timelog()
    assert (line["view"], line["status"]) == ("demo:boom", 500)


def test_an_unknown_address_is_logged_without_a_view(client, demo_urls, read_timelog):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    [line] = read_timelog()
    assert (line["view"], line["status"]) == ("-", 404)


def test_switched_off_it_writes_nothing(client, demo_urls, settings, timelog_path):
    settings.TIMELOG_ENABLED = False

    assert client.get("/demo/three/").status_code == 200
    assert not timelog_path.exists()


def test_the_file_is_rotated_by_size(client, demo_urls, settings, timelog_path, read_timelog):
    settings.TIMELOG_MAX_BYTES = 400  # about three lines
    settings.TIMELOG_BACKUP_COUNT = 2

    for _ in range(7):
        client.get("/demo/tagged/")

    backup = timelog_path.with_name("timelog.log.1")
    older = timelog_path.with_name("timelog.log.2")
    assert backup.exists()
    assert older.exists()
    kept = len(older.read_text().splitlines()) + len(backup.read_text().splitlines()) + len(read_timelog())
    assert kept == 7
    assert timelog_path.stat().st_size <= 400


def test_a_log_moved_away_by_another_worker_is_recreated(client, demo_urls, timelog_path, read_timelog):
    from apps.timelog.middleware import SharedRotatingFileHandler

    client.get("/demo/tagged/")
    timelog_path.rename(timelog_path.with_name("timelog.log.1"))  # as another worker's rotation would
    SharedRotatingFileHandler.RECHECK_SECONDS, saved = 0.0, SharedRotatingFileHandler.RECHECK_SECONDS
    try:
        client.get("/demo/three/")
    finally:
        SharedRotatingFileHandler.RECHECK_SECONDS = saved

    [line] = read_timelog()
    assert line["view"] == "demo:three"


def test_the_overhead_measurement_logs_every_request_it_times():
    """What it costs is the benchmark's to say (make bench: floor against floor_no_timelog)."""
    result = measure_overhead(requests=50, rounds=2)

    assert result["lines"] == 50 * 2
