"""The registry row behind each public address, kept in each web process.

Every request for a registry's public page (and every 304 of it) starts from
the registry row: its ``cache_version`` keys the cached page and the ETag,
its privacy decides the gate. Read from PostgreSQL that row costs more than
the rest of a cached page together (a pooled connection, a round trip, the
ORM); read from memcached it still costs a round trip. So each web process
keeps the rows it read, and PostgreSQL tells it when one changes:

- a trigger (migration ``registries.0004``) sends ``NOTIFY
  whisper_registry_changed`` with the slug of every registry row updated or
  deleted, by anyone (an empty one for a TRUNCATE: every copy goes).
  PostgreSQL delivers it when the transaction commits;
- each process has one listener thread (:class:`Board`) on a connection of
  its own, which drops the copy of that slug on arrival.

A copy is used only while the listener is connected and its connection
answered within the last ``3 × PING_SECONDS``: when it breaks (a PostgreSQL
restart), every copy is dropped and requests read the database until it is
listening again. A copy is stored only if no
notification arrived while it was being read (``Board.generation``), so a
read racing a change never stores the old row, and only outside a
transaction, so it is committed data. Copies also expire after
``ROW_SECONDS`` whatever happens.

What this gives up: another process may serve the old row for the moment it
takes PostgreSQL to deliver a notification (well under a millisecond on one
machine). Only visitors without a session or messages get copies (the
caller decides); a guest who has just reserved comes back with a message
and reads the database.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from functools import cache

import psycopg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.http import Http404

from .models import Registry

logger = logging.getLogger(__name__)

CHANNEL = "whisper_registry_changed"  # the trigger's (migration registries.0004)
APPLICATION_NAME = "whisper-registry-rows"  # the listener's connection, in pg_stat_activity
# A safety net: even with no notification, a copy is read again after this long.
ROW_SECONDS = 60.0
# At most this many copies per process (a full board starts again from empty).
MAX_ROWS = 5000
# The listener checks its connection after this long without a notification.
PING_SECONDS = 5.0
# Between attempts to connect again, doubling up to the second value.
RETRY_SECONDS = (0.5, 10.0)
# The listener's connection: TCP keepalives and a send timeout, so that a peer gone
# without a word (a failover, a partition) is noticed in seconds, not minutes.
LISTENER_OPTIONS = {
    "autocommit": True,
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}


class Board:
    """This process's copies of registry rows, and the thread that keeps them true.

    ``start()`` opens the listener; ``stop()`` closes it and drops every copy.
    """

    def __init__(self, using: str) -> None:
        self.using = using
        self.pid = os.getpid()
        self.listening = False  # True while the listener's connection is up
        self.generation = 0  # goes up with every notification, connection and disconnection
        self.alive_at = 0.0  # when the listener's connection last proved alive (monotonic)
        # slug: (stored at, Registry), the object handed to every guest request: read-only
        self._rows: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # Reading and storing (request threads) --------------------------------
    def trusted(self, now: float) -> bool:
        """Listening, and the connection answered lately (it may have died without a word)."""
        return self.listening and now - self.alive_at < 3 * PING_SECONDS

    def get(self, slug: str):
        """The copy of ``slug``'s registry, or None (none, expired, or not listening)."""
        entry, now = self._rows.get(slug), time.monotonic()
        if entry is None or now - entry[0] > ROW_SECONDS or not self.trusted(now):
            return None
        return entry[1]

    def put(self, slug: str, registry, generation: int) -> bool:
        """Keep ``registry`` for ``slug`` if nothing changed since ``generation`` was read."""
        with self._lock:
            if generation != self.generation or not self.trusted(time.monotonic()):
                return False
            if len(self._rows) >= MAX_ROWS:
                self._rows.clear()
            self._rows[slug] = (time.monotonic(), registry)
            return True

    def forget(self, slug: str | None = None) -> None:
        """Drop the copy of ``slug`` (of every slug when None)."""
        with self._lock:
            self.generation += 1
            if slug is None:
                self._rows.clear()
            else:
                self._rows.pop(slug, None)

    # The listener --------------------------------------------------------
    def start(self) -> Board:
        # Named, so that operators see it in pg_stat_activity (and tests can find it).
        params = {**connections[self.using].get_connection_params(), "application_name": APPLICATION_NAME}
        self._thread = threading.Thread(
            target=self._listen, args=(params,), name="registry-rows", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.listening = False
        self.forget()

    def wait_listening(self, timeout: float = 10.0) -> bool:
        """Wait until the listener is connected (tests, and the first requests of a process)."""
        deadline = time.monotonic() + timeout
        while not self.listening and time.monotonic() < deadline and not self._stopping.is_set():
            time.sleep(0.01)
        return self.listening

    def _listen(self, params: dict) -> None:
        delay, failing = RETRY_SECONDS[0], False
        while not self._stopping.is_set():
            try:
                with psycopg.connect(**{**params, **LISTENER_OPTIONS}) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.forget()  # whatever was read before may have missed a notification
                    self.alive_at = time.monotonic()
                    self.listening, delay = True, RETRY_SECONDS[0]
                    if failing:
                        logger.warning("registry rows: listening again")
                        failing = False
                    self._receive(connection)
            except Exception as exc:  # psycopg's errors, and anything else: never end the thread
                if not failing and not self._stopping.is_set():
                    logger.warning("registry rows: listener disconnected (%r); reading the database", exc)
                failing = True
            finally:
                self.listening = False
                self.forget()
            self._stopping.wait(delay)
            delay = min(delay * 2, RETRY_SECONDS[1])

    def _receive(self, connection: psycopg.Connection) -> None:
        while not self._stopping.is_set():
            # A second at a time, so that stop() never waits long.
            for notify in connection.notifies(timeout=1.0):
                self.alive_at = time.monotonic()
                self.forget(notify.payload or None)  # "" (a TRUNCATE): every copy
            if time.monotonic() - self.alive_at > PING_SECONDS:
                # A connection can die without a word (a failover, a partition): ask it.
                connection.execute("SELECT 1")
                self.alive_at = time.monotonic()


def _database() -> str:
    """The primary database, where changes commit and notify.

    Never a replica: a hot standby cannot LISTEN, nor be trusted to have a
    change by the time its notification arrives.
    """
    return router.db_for_write(Registry)


_boards: dict[int, Board] = {}
_boards_lock = threading.Lock()


def board() -> Board | None:
    """This process's board, started on first use; None where there is nothing to listen to.

    Per process: a gunicorn worker forked from a parent that had one starts
    its own. Off with ``WHISPER_LISTEN_FOR_REGISTRY_CHANGES = False`` (the
    test settings; tests/registries/test_rows.py turns it on) and on
    databases other than PostgreSQL.
    """
    pid = os.getpid()
    found = _boards.get(pid)
    if found is not None:
        return found
    if not settings.WHISPER_LISTEN_FOR_REGISTRY_CHANGES:
        return None
    using = _database()
    if connections[using].vendor != "postgresql":
        return None
    with _boards_lock:
        if pid not in _boards:
            _boards[pid] = Board(using).start()
    return _boards[pid]


@cache
def _prepared_lookup(using: str) -> tuple[str, tuple[str, ...], list[tuple[int, list, object]]]:
    """SQL, column names and value converters of ``Registry.objects.get(slug=…)``, built once.

    The ORM writes the SQL (its table, columns and quoting) and says how to
    convert each column; only the slug changes from one request to the next.
    """
    compiler = Registry.objects.using(using).filter(slug="-").order_by().query.get_compiler(using)
    sql, params = compiler.as_sql()
    if list(params) != ["-"]:
        raise ImproperlyConfigured(f"unexpected parameters in the registry lookup: {params!r}")
    columns = [col for col, _sql, _alias in compiler.select]
    converters = [(i, convs, col) for i, (convs, col) in compiler.get_converters(columns).items()]
    return sql, tuple(col.target.attname for col in columns), converters


def registry_or_404(slug: str, *, shared: bool = False):
    """The registry at ``slug``, as ``get_object_or_404(Registry, slug=slug)``.

    ``shared``: the caller serves a visitor without a session or messages, who
    may get this process's copy (no query at all): the same ``Registry``
    object for every such request until the row changes, so such callers
    read it and never change it. Otherwise, or without a copy, one query,
    with SQL built once per process (on this page's hot path the ORM's query
    building costs more than the query).
    """
    rows = board() if shared else None
    using = rows.using if rows is not None else _database()
    sql, names, converters = _prepared_lookup(using)
    if rows is not None:
        registry = rows.get(slug)
        if registry is not None:
            return registry
        generation = rows.generation

    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No registry at this address.")
    values = list(row)
    for i, convs, col in converters:
        for convert in convs:
            values[i] = convert(values[i], col, connection)
    registry = Registry.from_db(using, names, values)
    if rows is not None and not connection.in_atomic_block:
        rows.put(slug, registry, generation)
    return registry
