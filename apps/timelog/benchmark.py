"""How much the timelog middleware costs per request, for the benchmark (``make bench``).

``measure_overhead()`` runs the same trivial request through a bare handler
and through ``TimelogMiddleware`` (writing to a throwaway file) and reports the
difference; ``bench/run.py`` prints it, and a test keeps it small.
:class:`SkippableTimelogMiddleware` lets the benchmark measure the floor
without the timelog, on the same stack.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import ResolverMatch

from apps.core.bench_views import TIMELOG_META

from .middleware import TimelogMiddleware, get_logger


def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok")


def _best_of(callable_, request: HttpRequest, requests: int, rounds: int) -> float:
    """The lowest mean seconds per call over ``rounds`` rounds (the least disturbed one)."""
    means = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(requests):
            callable_(request)
        means.append((time.perf_counter() - started) / requests)
    return min(means)


def measure_overhead(requests: int = 2000, rounds: int = 5) -> dict[str, float | int]:
    """Microseconds per request without and with the middleware, and their difference."""
    request = RequestFactory().get("/bench/")
    # As the URL resolver would have left it: the middleware logs the route name.
    request.resolver_match = ResolverMatch(_view, (), {}, url_name="bench", app_names=["timelog"])
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "timelog.log"
        with override_settings(TIMELOG_ENABLED=True, TIMELOG_LOG=log, TIMELOG_MAX_BYTES=0):
            middleware = TimelogMiddleware(_view)
            bare = _best_of(_view, request, requests, rounds)
            timed = _best_of(middleware, request, requests, rounds)
            with log.open() as f:
                lines = sum(1 for _ in f)
        get_logger()  # back to the configured file before the throwaway one goes
    return {
        "bare_us": bare * 1e6,
        "timelog_us": timed * 1e6,
        "overhead_us": max(timed - bare, 0.0) * 1e6,
        "lines": lines,
    }


class SkippableTimelogMiddleware(TimelogMiddleware):
    """``TimelogMiddleware``, except for requests with ``X-Bench-Timelog: off``.

    In ``whisper.settings.bench`` in place of the timelog middleware, so the
    benchmark's ``floor_no_timelog`` row measures the floor without it, on
    the same stack and in the same run as ``floor``. The check is one dict
    lookup on ``META`` (``request.headers`` would build a dict of them all).
    """

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.META.get(TIMELOG_META) == "off":
            return self.get_response(request)
        return super().__call__(request)
