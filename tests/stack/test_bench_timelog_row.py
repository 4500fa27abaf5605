"""bench.views.SkippableTimelogMiddleware — the benchmark's floor without the timelog."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.test import RequestFactory

from apps.timelog.middleware import get_logger
from bench.views import SkippableTimelogMiddleware


def test_it_logs_every_request_but_those_that_ask_it_not_to(settings, tmp_path):
    log, original = tmp_path / "timelog.log", settings.TIMELOG_LOG
    settings.TIMELOG_LOG = log
    settings.TIMELOG_MAX_BYTES = 0
    middleware = SkippableTimelogMiddleware(lambda request: HttpResponse(b"floor"))
    try:
        assert middleware(RequestFactory().get("/bench/floor/")).status_code == 200
        skipped = RequestFactory().get("/bench/floor/", headers={"X-Bench-Timelog": "off"})
        assert middleware(skipped).content == b"floor"

        lines = [json.loads(line) for line in log.read_text().splitlines()]
    finally:
        get_logger(original)  # back to the run's own timelog file
    assert len(lines) == 1
    assert lines[0]["method"] == "GET"
