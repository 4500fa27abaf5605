"""bench/wsgi.py's dispatch: /bench/bare/ through Django's default middleware only, the rest as the site.

Called as gunicorn calls it, with a WSGI environ and start_response: what
the ``bare`` row of the benchmark measures against the floor.
"""

from __future__ import annotations

from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from bench.views import BARE_PATH, DEFAULT_MIDDLEWARE, BareDispatch, bare_handler


def wsgi_get(app, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` from the WSGI ``app``: status, headers and body."""
    environ = {"PATH_INFO": path, "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    response = app(environ, start_response)
    try:
        body = b"".join(response)
    finally:
        response.close()
    return answer["status"], answer["headers"], body


@pytest.fixture
def bench_urls(settings):
    """The bench URLconf; the database connection left alone by the requests, as Django's test client does."""
    settings.ROOT_URLCONF = "bench.urls"
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield settings
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_bare_is_the_floor_without_whispers_middleware(bench_urls):
    app = BareDispatch(WSGIHandler(), bare_handler())

    floor_status, floor, floor_body = wsgi_get(app, "/bench/floor/")
    bare_status, bare, bare_body = wsgi_get(app, BARE_PATH)

    assert floor_status == bare_status == 200
    assert floor_body == bare_body == b"floor\n"
    # Whisper's own middleware (CSP, the reader's language) answered the floor only.
    assert "Content-Security-Policy" in floor and "Content-Language" in floor
    assert "Content-Security-Policy" not in bare and "Content-Language" not in bare
    # Django's defaults answered both: SecurityMiddleware's nosniff, XFrameOptionsMiddleware's DENY.
    assert bare["X-Content-Type-Options"] == floor["X-Content-Type-Options"] == "nosniff"
    assert bare["X-Frame-Options"] == floor["X-Frame-Options"] == "DENY"


def test_building_the_bare_handler_leaves_the_sites_middleware_alone(bench_urls):
    site_middleware = list(bench_urls.MIDDLEWARE)
    bare_handler()
    assert list(bench_urls.MIDDLEWARE) == site_middleware
    assert len(site_middleware) > len(DEFAULT_MIDDLEWARE)


def test_without_the_dispatch_the_site_answers_bare_with_its_headers(bench_urls):
    # What the benchmark checks before measuring the row: gunicorn not running
    # bench.wsgi shows in the site's headers on /bench/bare/.
    status, headers, _ = wsgi_get(WSGIHandler(), BARE_PATH)
    assert status == 200
    assert "Content-Security-Policy" in headers
