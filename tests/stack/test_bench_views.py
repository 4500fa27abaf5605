"""The benchmark's hooks in Django (bench.views): the floor view and the query-count header."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

BENCH_MIDDLEWARE = ["bench.views.QueryCountMiddleware", *settings.MIDDLEWARE]


@pytest.fixture
def bench_settings(settings):
    settings.ROOT_URLCONF = "bench.urls"
    settings.MIDDLEWARE = BENCH_MIDDLEWARE
    return settings


def test_floor_is_plain_text_without_sql(db, client, bench_settings, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/bench/floor/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response.content == b"floor\n"


@pytest.mark.django_db
def test_floor_is_not_part_of_the_real_site(client):
    assert client.get("/bench/floor/").status_code == 404


def test_query_count_header_tells_the_queries_a_page_took(client, bench_settings, items):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(items[0].registry.get_absolute_url(), headers={"X-Bench-Queries": "1"})
    assert response.status_code == 200
    assert int(response["X-Bench-Queries"]) == len(ctx.captured_queries) > 0


def test_query_count_only_on_request(client, bench_settings, items):
    response = client.get(items[0].registry.get_absolute_url())
    assert response.status_code == 200
    assert "X-Bench-Queries" not in response


def test_floor_counts_zero_queries(client, bench_settings):
    response = client.get("/bench/floor/", headers={"X-Bench-Queries": "1"})
    assert response["X-Bench-Queries"] == "0"
