"""Ops views: the health endpoint, the site's error pages and the staff's front page."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_safe
from health_check.views import HealthCheckView

from apps.core.staff import staff_required
from apps.ops import health as health_checks

logger = logging.getLogger(__name__)


class HealthView(HealthCheckView):
    """``/health/``: 200 when every part answers, 503 naming the parts that don't.

    Always JSON and never cached (the library's ``dispatch`` adds the
    headers), for example::

        {"status": "ok", "checks": {"database": "ok", "cache": "ok",
                                    "broker": "eager", "storage": "ok"}}
    """

    checks = tuple(health_checks.CHECKS.values())

    @contextlib.contextmanager
    def get_executor(self) -> Iterator[Executor]:
        """Threads for the blocking checks that nobody waits for once time is up.

        The loop's default executor would be joined before the response goes
        out, so a hung database would hold ``/health/`` for its whole pool
        timeout; a timed-out check's thread now finishes on its own.
        """
        executor = ThreadPoolExecutor(max_workers=len(self.checks), thread_name_prefix="health")
        try:
            yield executor
        finally:
            executor.shutdown(wait=False, cancel_futures=True)

    async def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with self.get_executor() as executor:
            self.results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        body = health_checks.report(self.results)
        return JsonResponse(body, status=200 if body["status"] == "ok" else 503)


health = HealthView.as_view()


def _page(template_name: str, status: int, request: HttpRequest | None = None) -> HttpResponse:
    """An error page from ``template_name``, with the request's context when one is given.

    Not through ``django.views.defaults``: its views check the CSRF token again
    (``requires_csrf_token``), which parses the body again, and a body that
    cannot be parsed (a form in latin-1) is often what went wrong to begin with.
    """
    return HttpResponse(loader.render_to_string(template_name, request=request), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400, rendered without the request: it may be what is wrong (a bad host, a body in latin-1)."""
    return _page("400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page("403.html", 403, request)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page("404.html", 404, request)


# The database cannot be reached (restarting, failing over, out of connections):
# a short wait usually cures it, so the visitor gets a 503 asking them to retry.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# Seconds clients are told to wait (Retry-After) when the database is unavailable.
DATABASE_RETRY_AFTER_SECONDS = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """500, from a static template; if even that fails, a bare page.

    A failure to reach the database, wherever it was raised, is a 503 instead
    (:func:`database_unavailable`): nothing is wrong with the page, and
    trying again in a moment works.
    """
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable()
    try:
        return _page("500.html", 500)
    except Exception:
        logger.exception("The 500 page itself failed to render")
        return HttpResponseServerError(
            "<!doctype html><title>Server error</title>"
            "<h1>Something went wrong</h1><p>Please try again in a moment.</p>",
        )


def database_unavailable() -> HttpResponse:
    """503 with ``Retry-After``, from ``503.html``: rendered without the database or a request."""
    try:
        html = loader.get_template("503.html").render()
    except Exception:
        logger.exception("The 503 page itself failed to render")
        html = "<!doctype html><title>Back in a moment</title><h1>Back in a moment</h1>"
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response


@staff_required
@require_safe
def staff_home(request: HttpRequest) -> HttpResponse:
    """``/staff/``: the staff's pages in one place (a 403 page for everyone else, never the admin login)."""
    return render(request, "ops/staff.html")
