"""The timelog middleware: one JSON line per request, written to a rotating file.

Each line holds the time, the view's route name (``pages:home``, never the raw
path, so a report groups requests by view), the method, the status, the
duration in milliseconds, the number of SQL queries and whether the response
came from a cache. It sits first in ``MIDDLEWARE`` so it measures everything
below it, and costs a few microseconds: the queries are counted by an
execute wrapper on the connection (no ``DEBUG`` needed), the line is formatted
directly (only its strings go through ``json.dumps``) and written by the
timelog's own file handler as it is, without a logging record.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from json import dumps as _quote  # a str in, a JSON string out (C-accelerated)
from logging.handlers import RotatingFileHandler
from pathlib import Path

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

LOGGER_NAME = "whisper.timelog"
UNRESOLVED = "-"


class _QueryCounter:
    """An ``execute_wrapper`` that counts the statements it lets through."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class SharedRotatingFileHandler(RotatingFileHandler):
    """A size-rotated file that several worker processes can share, written cheaply.

    At most once a second it checks whether another worker has rotated the
    file away and then reopens it (as ``WatchedFileHandler`` does) instead of
    writing into the renamed backup. The size check uses the open stream's
    position rather than the two ``stat`` calls of the standard handler.
    """

    RECHECK_SECONDS = 1.0

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._next_check = 0.0

    def _reopen_if_moved(self) -> None:
        try:
            current = os.stat(self.baseFilename)
            opened = os.fstat(self.stream.fileno())
            moved = (current.st_dev, current.st_ino) != (opened.st_dev, opened.st_ino)
        except OSError:  # rotated away and not yet recreated
            moved = True
        if moved:
            self.stream.close()
            self.stream = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)

    def write_line(self, line: str) -> None:
        """Write one finished line, as ``handle()`` would, without making a ``LogRecord`` first."""
        with self.lock:
            try:
                self._write(line + "\n")
            except Exception:
                self.handleError(logging.makeLogRecord({"msg": line, "name": LOGGER_NAME}))

    def _write(self, line: str) -> None:
        now = time.monotonic()
        if self.stream is not None and now >= self._next_check:
            self._next_check = now + self.RECHECK_SECONDS
            self._reopen_if_moved()
        if self.stream is None:
            self.stream = self._open()
        if self.maxBytes > 0 and self.stream.seek(0, 2) + len(line) > self.maxBytes:
            self.doRollover()
            if self.stream is None:  # delay=True leaves it closed
                self.stream = self._open()
        self.stream.write(line)
        self.stream.flush()


def get_logger(path: Path | str | None = None) -> logging.Logger:
    """The timelog logger, writing to ``path`` (default ``settings.TIMELOG_LOG``)."""
    path = Path(os.path.abspath(path or settings.TIMELOG_LOG))
    logger = logging.getLogger(LOGGER_NAME)
    current = [h for h in logger.handlers if isinstance(h, SharedRotatingFileHandler)]
    if [Path(h.baseFilename) for h in current] != [path]:
        for handler in current:
            logger.removeHandler(handler)
            handler.close()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = SharedRotatingFileHandler(
            path,
            maxBytes=settings.TIMELOG_MAX_BYTES,
            backupCount=settings.TIMELOG_BACKUP_COUNT,
            encoding="utf-8",
            delay=True,
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the lines belong in the timelog, not on the console
    return logger


def view_name(request: HttpRequest, status: int) -> str:
    """The route name of the view that answered, e.g. ``pages:home``.

    A response from a middleware (a page-cache hit, a redirect) never reached
    the resolver; resolve its path then, except for 404s, which have no view.
    """
    match = request.resolver_match
    if match is None and status != 404:
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            match = None
    return match.view_name if match is not None else UNRESOLVED


def came_from_cache(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether the answer came from a cache rather than from the view.

    What we can honestly tell: a 304 (the client's copy is fresh) or a hit of
    Django's page cache (``FetchFromCacheMiddleware`` marks the request).
    """
    return response.status_code == 304 or getattr(request, "_cache_update_cache", None) is False


class TimelogMiddleware:
    """Write one timelog line for each request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.TIMELOG_ENABLED:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.logger = get_logger()
        self._last_second: tuple[int, str] = (-1, "")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        db = connections[DEFAULT_DB_ALIAS]
        db.execute_wrappers.append(counter)
        started = time.perf_counter()
        status = 500
        response = None
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            db.execute_wrappers.remove(counter)
            cached = response is not None and came_from_cache(request, response)
            line = (
                f'{{"time":"{self._timestamp()}","view":{_quote(view_name(request, status))},'
                f'"method":{_quote(request.method or "")},"status":{status},"ms":{elapsed_ms:.2f},'
                f'"queries":{counter.count},"cached":{"true" if cached else "false"}}}'
            )
            if self.logger.isEnabledFor(logging.INFO):
                self._log(line)

    def _log(self, line: str) -> None:
        """Hand ``line`` to the timelog's handlers: ours take the text as it is.

        Making a ``LogRecord`` and formatting it back costs more than writing
        the line; a handler added by the logging settings still gets a record.
        """
        record = None
        for handler in self.logger.handlers:
            if isinstance(handler, SharedRotatingFileHandler):
                handler.write_line(line)
                continue
            if record is None:
                record = self.logger.makeRecord(LOGGER_NAME, logging.INFO, __file__, 0, line, (), None)
            if record.levelno >= handler.level:
                handler.handle(record)

    def _timestamp(self) -> str:
        """Now, in ISO 8601 UTC with milliseconds; the seconds part is reused within a second."""
        now = time.time()
        second = int(now)
        cached_second, text = self._last_second  # one tuple: consistent across threads
        if second != cached_second:
            text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._last_second = (second, text)
        return f"{text}.{int((now - second) * 1000):03d}+00:00"
