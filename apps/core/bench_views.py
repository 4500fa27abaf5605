"""What the benchmark (``bench/run.py``) needs from Django, on in bench settings only.

- :func:`floor`: the cheapest response the stack can give; every row of the
  benchmark is compared with it (``whisper.urls_bench`` serves it at
  ``/bench/floor/``).
- :class:`QueryCountMiddleware`: a request with ``X-Bench-Queries: 1`` gets
  back the number of SQL queries it took in the same header.
- :func:`cache_bypassed`: whether a request asked to skip the fragment cache
  (header ``X-Bench-Cache: bypass`` or ``?bench-nocache=1``); honoured only
  when ``settings.BENCH_ALLOW_CACHE_BYPASS`` is True (whisper/settings/bench.py).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

QUERIES_HEADER = "X-Bench-Queries"
BYPASS_HEADER = "X-Bench-Cache"
BYPASS_HEADER_VALUE = "bypass"
BYPASS_PARAM = "bench-nocache"


def floor(request: HttpRequest) -> HttpResponse:
    """A tiny plain-text page through the whole middleware stack, without SQL."""
    return HttpResponse(b"floor\n", content_type="text/plain")


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
    return request.headers.get(BYPASS_HEADER) == BYPASS_HEADER_VALUE or BYPASS_PARAM in request.GET


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
        if request.headers.get(QUERIES_HEADER) != "1":
            return self.get_response(request)
        counter = _Counter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        response[QUERIES_HEADER] = str(counter.count)
        return response
