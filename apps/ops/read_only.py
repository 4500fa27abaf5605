"""Read-only mode: one django-waffle switch an operator flips at runtime.

While the switch is on every page still reads, and every write gets a
friendly "back soon" page (see ``apps.ops.middleware.ReadOnlyMiddleware``).
It is flipped in the admin (Waffle › Switches), with
``manage.py readonly on|off`` and by the fab task that wraps that command.

A write always asks waffle (one memcached read). A read, which only shows
the banner, trusts what its process saw within the last
``READ_CHECK_SECONDS``: the busiest pages then never wait for memcached to
learn that nothing changed, and a flip shows on every node within a second.
In the process that flips the switch it shows at once.
"""

from __future__ import annotations

import time

import waffle
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from waffle import get_waffle_switch_model

SWITCH = "read_only"
# How long clients are told to wait before retrying a write (Retry-After).
RETRY_AFTER_SECONDS = 300
# How long a process trusts its last look at the switch for a read (GET, HEAD, OPTIONS).
READ_CHECK_SECONDS = 1.0
READS = frozenset({"GET", "HEAD", "OPTIONS"})
_seen: tuple[float, bool] | None = None  # (monotonic time of the look, active)
_now = time.monotonic  # (the tests move this clock, not the process's)


def is_active() -> bool:
    """Whether the site is read-only now (waffle caches the switch)."""
    return waffle.switch_is_active(SWITCH)


def for_request(request: HttpRequest) -> bool:
    """``is_active()``, looked up at most once per request, and for reads at most once a second."""
    try:
        return request._whisper_read_only
    except AttributeError:
        request._whisper_read_only = _recently_active() if request.method in READS else is_active()
        return request._whisper_read_only


def _recently_active() -> bool:
    global _seen
    seen, now = _seen, _now()
    if seen is None or now - seen[0] >= READ_CHECK_SECONDS:
        seen = _seen = (now, is_active())
    return seen[1]


def _forget_seen(**kwargs) -> None:
    """This process looks at the switch afresh on its next read (the switch was just changed)."""
    _clear_seen()
    transaction.on_commit(_clear_seen, robust=True)


def _clear_seen() -> None:
    global _seen
    _seen = None


def connect() -> None:
    """Forget what was seen whenever a switch is saved or deleted (here, or in the admin)."""
    Switch = get_waffle_switch_model()
    post_save.connect(_forget_seen, sender=Switch, dispatch_uid="ops.read_only.save")
    post_delete.connect(_forget_seen, sender=Switch, dispatch_uid="ops.read_only.delete")


def set_active(active: bool) -> bool:
    """Turn read-only mode on or off; return the new state.

    Saves through the model so waffle flushes its cached copy once the
    transaction commits, and every web node sees the change on its next
    request. Creates the switch if a database lost it.
    """
    Switch = get_waffle_switch_model()
    with transaction.atomic():
        switch, _created = Switch.objects.select_for_update().get_or_create(
            name=SWITCH, defaults={"note": "Read-only mode: every write gets a 'back soon' page."}
        )
        switch.active = active
        switch.save()
    return switch.active
