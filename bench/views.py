"""What the benchmark (``bench/run.py``) needs from Django, in ``bench.settings`` only.

Nothing here is imported by the site: the bench settings add these views
(``bench.urls``) and middleware on top of production's.

- :func:`floor`: the cheapest response the stack can give; every row of the
  benchmark is compared with it (``bench.urls`` serves it at ``/bench/floor/``).
- :class:`QueryCountMiddleware`: a request with ``X-Bench-Queries: 1`` gets
  back the number of SQL queries it took in the same header.
- :class:`CacheBypassMiddleware`: a request with ``X-Bench-Cache: bypass`` (or
  ``?bench-nocache=1``) finds every cached page and template fragment missing.
- :func:`sleep`: a request that takes as long as asked, so that the
  reliability tests can kill the worker serving it (``/bench/sleep/``).
- ``TIMELOG_HEADER``: ``X-Bench-Timelog: off`` skips the timelog middleware
  (``SkippableTimelogMiddleware``): the floor with and
  without it measures what the timelog costs.
- :func:`bare_handler` and :class:`BareDispatch`: ``bench/wsgi.py`` (the app
  gunicorn loads on the bench stack) answers ``/bench/bare/`` with the floor's
  view through Django's default middleware only (``DEFAULT_MIDDLEWARE``, the
  ``startproject`` list): floor against bare is what Whisper's own middleware costs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import ExitStack

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.utils import make_template_fragment_key
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt

from apps.timelog.middleware import TimelogMiddleware

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


# Every cached page and template fragment has a key of Django's fragment
# scheme (apps.core.cache.fragment_key): "template.cache.<name>.<digest>".
FRAGMENT_KEY_PREFIX = make_template_fragment_key("x").rsplit(".", 2)[0] + "."
# The aliases that hold pages and fragments (base settings: "process" holds
# each web process's copy of the public pages).
PAGE_CACHES = (DEFAULT_CACHE_ALIAS, "process")


class _FragmentsMissing:
    """A cache that forwards everything to ``cache`` but reads every page or fragment as missing.

    Sessions, rate-limit counters and the thumbnails' key-value store still
    come from the real cache, as they do for a page rendered on a cold cache.
    """

    def __init__(self, cache) -> None:
        self._cache = cache

    def __getattr__(self, name: str):
        return getattr(self._cache, name)

    def get(self, key: str, default=None, version=None):
        if key.startswith(FRAGMENT_KEY_PREFIX):
            return default
        return self._cache.get(key, default, version)

    def set(self, key: str, *args, **kwargs) -> None:
        if not key.startswith(FRAGMENT_KEY_PREFIX):
            self._cache.set(key, *args, **kwargs)

    def get_many(self, keys, version=None) -> dict:
        keys = [key for key in keys if not key.startswith(FRAGMENT_KEY_PREFIX)]
        return self._cache.get_many(keys, version) if keys else {}

    def set_many(self, data: dict, *args, **kwargs) -> list:
        data = {key: value for key, value in data.items() if not key.startswith(FRAGMENT_KEY_PREFIX)}
        return self._cache.set_many(data, *args, **kwargs) if data else []


def bypass_requested(request: HttpRequest) -> bool:
    """True when ``request`` asks to skip the page and fragment caches.

    >>> from django.test import RequestFactory
    >>> bypass_requested(RequestFactory().get("/r/x/", headers={"X-Bench-Cache": "bypass"}))
    True
    >>> bypass_requested(RequestFactory().get("/r/x/?bench-nocache=1"))
    True
    >>> bypass_requested(RequestFactory().get("/r/x/?sort=price"))
    False
    """
    meta = request.META
    # (request.GET only when there is a query string: parsing costs, on every row of the benchmark.)
    return meta.get(BYPASS_META) == BYPASS_HEADER_VALUE or (
        bool(meta.get("QUERY_STRING")) and BYPASS_PARAM in request.GET
    )


class CacheBypassMiddleware:
    """Serve a request that asks for it (:func:`bypass_requested`) as if no page or fragment were cached.

    The ``registry_cold`` row: the public page rendered in full, on the same
    stack and in the same run as the warm rows. For this request only (the
    caches are per thread), the aliases in ``PAGE_CACHES`` read every
    page and fragment as missing and store none.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not bypass_requested(request):
            return self.get_response(request)
        aliases = [alias for alias in PAGE_CACHES if alias in caches.settings]
        real = {alias: caches[alias] for alias in aliases}
        try:
            for alias in aliases:
                caches[alias] = _FragmentsMissing(real[alias])
            return self.get_response(request)
        finally:
            for alias in aliases:
                caches[alias] = real[alias]


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
    ``bench.settings`` so that it counts the other middleware's queries too.
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


class SkippableTimelogMiddleware(TimelogMiddleware):
    """``TimelogMiddleware``, except for requests with ``X-Bench-Timelog: off``.

    In ``bench.settings`` in place of the timelog middleware, so the
    benchmark's ``floor_no_timelog`` row measures the floor without it, on
    the same stack and in the same run as ``floor``. The check is one dict
    lookup on ``META`` (``request.headers`` would build a dict of them all).
    """

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.META.get(TIMELOG_META) == "off":
            return self.get_response(request)
        return super().__call__(request)


# Django's own middleware as ``django-admin startproject`` lists it (Django 5.2).
DEFAULT_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
BARE_PATH = "/bench/bare/"  # bench.urls: the floor's view


def bare_handler() -> WSGIHandler:
    """A second WSGI handler of the site's Django whose middleware is ``DEFAULT_MIDDLEWARE`` only.

    Same settings, URLconf and view as the floor; only the chain differs.
    Django reads ``settings.MIDDLEWARE`` once, when a handler is built, so
    the list is swapped for the time of building this one (no signal sent:
    nothing else sees it).
    """
    site_middleware = settings.MIDDLEWARE
    settings.MIDDLEWARE = DEFAULT_MIDDLEWARE
    try:
        return WSGIHandler()
    finally:
        settings.MIDDLEWARE = site_middleware


class BareDispatch:
    """A WSGI app: ``/bench/bare/`` to ``bare``, every other path to ``site``.

    One comparison per request, paid by every row alike.
    """

    def __init__(self, site, bare) -> None:
        self.site, self.bare = site, bare

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == BARE_PATH:
            return self.bare(environ, start_response)
        return self.site(environ, start_response)
