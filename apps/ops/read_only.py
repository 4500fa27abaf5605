"""Read-only mode: one django-waffle switch an operator flips at runtime.

While the switch is on every page still reads, and every write gets a
friendly "back soon" page (see ``apps.ops.middleware.ReadOnlyMiddleware``).
It is flipped in the admin (Waffle › Switches), with
``manage.py readonly on|off`` and by the fab task that wraps that command.
"""

from __future__ import annotations

import waffle
from django.db import transaction
from django.http import HttpRequest
from waffle import get_waffle_switch_model

SWITCH = "read_only"
# How long clients are told to wait before retrying a write (Retry-After).
RETRY_AFTER_SECONDS = 300


def is_active() -> bool:
    """Whether the site is read-only now (waffle caches the switch)."""
    return waffle.switch_is_active(SWITCH)


def for_request(request: HttpRequest) -> bool:
    """``is_active()``, looked up at most once per request."""
    try:
        return request._whisper_read_only
    except AttributeError:
        request._whisper_read_only = is_active()
        return request._whisper_read_only


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
