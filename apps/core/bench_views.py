"""What the benchmark (``bench/run.py``) needs from Django, on in bench settings only.

- :func:`floor`: the cheapest response the stack can give; every row of the
  benchmark is compared with it (``whisper.urls_bench`` serves it at
  ``/bench/floor/``).
- :class:`QueryCountMiddleware`: a request with ``X-Bench-Queries: 1`` gets
  back the number of SQL queries it took in the same header.
- :func:`cache_bypassed`: whether a request asked to skip the fragment cache
  (header ``X-Bench-Cache: bypass`` or ``?bench-nocache=1``); honoured only
  when ``settings.BENCH_ALLOW_CACHE_BYPASS`` is True (whisper/settings/bench.py).
- :func:`sleep`: a request that takes as long as asked, so that the
  reliability tests can kill the worker serving it (``/bench/sleep/``).
- ``TIMELOG_HEADER``: ``X-Bench-Timelog: off`` skips the timelog middleware
  (``apps.timelog.benchmark.SkippableTimelogMiddleware``): the floor with and
  without it measures what the timelog costs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import ExitStack

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt

QUERIES_HEADER = "X-Bench-Queries"
BYPASS_HEADER = "X-Bench-Cache"
BYPASS_HEADER_VALUE = "bypass"
BYPASS_PARAM = "bench-nocache"
TIMELOG_HEADER = "X-Bench-Timelog"


def _meta(header: str) -> str:
    """The ``request.META`` key of ``header``.

    Every request of the benchmark passes these checks: ``request.headers``
    would parse every header to answer one.

    >>> _meta("X-Bench-Cache")
    'HTTP_X_BENCH_CACHE'
    """
    return "HTTP_" + header.upper().replace("-", "_")


QUERIES_META, BYPASS_META, TIMELOG_META = _meta(QUERIES_HEADER), _meta(BYPASS_HEADER), _meta(TIMELOG_HEADER)


def floor(request: HttpRequest) -> HttpResponse:
    """A tiny plain-text page through the whole middleware stack, without SQL."""
    return HttpResponse(b"floor\n", content_type="text/plain")


# The longest /bench/sleep/ may take: well inside gunicorn's 30 s timeout.
MAX_SLEEP_SECONDS = 10.0


@csrf_exempt  # POSTs too: nginx retries a GET on another node, never a POST
def sleep(request: HttpRequest) -> HttpResponse:
    """Wait ``?seconds=`` (at most ``MAX_SLEEP_SECONDS``), then say which process answered."""
    try:
        seconds = min(max(float(request.GET.get("seconds", "1")), 0.0), MAX_SLEEP_SECONDS)
    except ValueError:
        return HttpResponseBadRequest(b"seconds must be a number\n", content_type="text/plain")
    time.sleep(seconds)
    return HttpResponse(f"slept {seconds:g} s in pid {os.getpid()}\n", content_type="text/plain")


def cache_bypassed(request: HttpRequest) -> bool:
    """True when ``request`` asks to skip the fragment cache and the settings allow it.

    >>> from django.test import RequestFactory, override_settings
    >>> asking = RequestFactory().get("/r/x/", headers={"X-Bench-Cache": "bypass"})
    >>> cache_bypassed(asking)
    False
    >>> with override_settings(BENCH_ALLOW_CACHE_BYPASS=True):
    ...     cache_bypassed(asking), cache_bypassed(RequestFactory().get("/r/x/?bench-nocache=1"))
    (True, True)
    """
    if not getattr(settings, "BENCH_ALLOW_CACHE_BYPASS", False):
        return False
    meta = request.META
    # (request.GET only when there is a query string: parsing costs, on every row of the benchmark.)
    return meta.get(BYPASS_META) == BYPASS_HEADER_VALUE or (
        bool(meta.get("QUERY_STRING")) and BYPASS_PARAM in request.GET
    )


class _Counter:
    """A database execute wrapper that counts the statements run through it."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class QueryCountMiddleware:
    """Answer ``X-Bench-Queries: 1`` with the number of SQL queries the request took.

    Works with DEBUG off (no ``connection.queries``): it wraps the database
    connections' execute for this request only. Listed first in
    ``whisper.settings.bench`` so that it counts the other middleware's queries too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.META.get(QUERIES_META) != "1":
            return self.get_response(request)
        counter = _Counter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        response[QUERIES_HEADER] = str(counter.count)
        return response
