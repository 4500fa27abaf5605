"""The registry row behind a public address, kept by each web process for a second.

Every request for a registry's public page, and every 304 of it, starts from
the registry row: its ``cache_version`` keys the cached page and the ETag, its
privacy decides the gate. Read from PostgreSQL, that row costs more than the
rest of a cached page together (a pooled connection, two round trips, the ORM),
and the cache in front revalidates each page every second. So a visitor
without a session or messages (the caller decides) gets this process's copy
of the row while it is younger than ``WHISPER_REGISTRY_ROW_SECONDS``.

What this gives up: such a visitor may see a change that much later, on top
of the shared cache's ``WHISPER_SHARED_CACHE_SECONDS`` (docs/caching.md says
the sum). The couple, a guest past a passphrase and a guest who has just
written always read the database. A copy is stored only outside a
transaction (committed data), and the copies are the objects handed to every
such request: read them, never change them.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connections, router
from django.shortcuts import get_object_or_404

from .models import Registry

# At most this many copies per process (a full table starts again from empty).
MAX_ROWS = 2000

_rows: dict[str, tuple[float, Registry]] = {}


def registry_or_404(slug: str, *, shared: bool) -> Registry:
    """The registry at ``slug``, from this process's copy if ``shared`` and it is recent; else Http404."""
    seconds = settings.WHISPER_REGISTRY_ROW_SECONDS
    if not shared or seconds <= 0:
        return get_object_or_404(Registry, slug=slug)
    now = time.monotonic()
    entry = _rows.get(slug)
    if entry is not None and now - entry[0] < seconds:
        return entry[1]
    registry = get_object_or_404(Registry, slug=slug)
    if not connections[router.db_for_read(Registry)].in_atomic_block:
        if len(_rows) >= MAX_ROWS:
            _rows.clear()
        _rows[slug] = (now, registry)
    return registry


def forget() -> None:
    """Drop every copy (tests)."""
    _rows.clear()
