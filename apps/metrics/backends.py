"""Where counts go: the database always; statsd when ``STATSD_HOST`` is set.

A backend is a class with ``count(name, n, day)``; ``METRICS_BACKENDS`` lists
their dotted paths.
"""

from __future__ import annotations

import datetime
import socket

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Counter


class DatabaseBackend:
    """Daily counters in the ``Counter`` table, one atomic upsert per count.

    ``INSERT … ON CONFLICT (day, name) DO UPDATE`` adds to the stored value in
    a single statement, so concurrent counts are never lost. PostgreSQL and
    SQLite (3.24+) both speak it.
    """

    def __init__(self) -> None:
        table = connection.ops.quote_name(Counter._meta.db_table)
        # bandit B608: the table name is our model's, quoted; the values go as parameters.
        self.sql = (
            f"INSERT INTO {table} (day, name, value) VALUES (%s, %s, %s) "  # nosec B608  # noqa: S608
            f"ON CONFLICT (day, name) DO UPDATE SET value = {table}.value + EXCLUDED.value"
        )

    def count(self, name: str, n: int, day: datetime.date) -> None:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [connection.ops.adapt_datefield_value(day), name, n])


class StatsdBackend:
    """A statsd counter over UDP (``prefix.name:n|c``); does nothing unconfigured.

    statsd has no notion of a day, so counts for another day are not sent.
    """

    def __init__(self) -> None:
        self.host = settings.STATSD_HOST
        self.port = settings.STATSD_PORT
        self.prefix = settings.STATSD_PREFIX
        self._address = None
        self._socket: socket.socket | None = None

    def count(self, name: str, n: int, day: datetime.date) -> None:
        if not self.host or day != timezone.localdate():
            return
        if self._socket is None:
            family, kind, proto, _, address = socket.getaddrinfo(
                self.host, self.port, type=socket.SOCK_DGRAM
            )[0]
            self._socket = socket.socket(family, kind, proto)
            self._socket.setblocking(False)
            self._address = address
        stat = f"{self.prefix}.{name}" if self.prefix else name
        self._socket.sendto(f"{stat}:{n}|c".encode(), self._address)

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
