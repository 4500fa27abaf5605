"""The metrics API other apps call: ``count("signups")`` adds one to today's counter.

    from apps.metrics.api import count

    count("upgrades")
    count("revenue", 1500)  # revenue counts cents

Counting happens once the current transaction commits, so work that is rolled
back is never counted (and the counter row is locked only for one statement,
not for the caller's whole transaction). A failing backend is logged and
never breaks the caller. Which backends run is the ``METRICS_BACKENDS`` setting.
"""

from __future__ import annotations

import datetime
import functools
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    cents: bool = False  # the value is money, in cents


#: The metrics the site counts, in the order the report and dashboard show them.
METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        Metric("signups", _("Sign-ups")),
        Metric("verified_accounts", _("Verified accounts")),
        Metric("registries", _("Registries created")),
        Metric("items", _("Items added")),
        Metric("reservations", _("Reservations")),
        Metric("pledges", _("Pledges to group gifts")),
        Metric("upgrades", _("Upgrades")),
        Metric("revenue", _("Revenue"), cents=True),
        Metric("mails_sent", _("Mails sent")),
        Metric("mails_bounced", _("Mails bounced")),
        Metric("importer_fetches", _("Importer fetches")),
        Metric("importer_failures", _("Importer failures")),
    ]
}


def metric(name: str) -> Metric:
    """The catalogue entry for ``name`` (a plain one for names not in it).

    >>> metric("revenue").cents
    True
    >>> metric("exports").label
    'Exports'
    """
    return METRICS.get(name) or Metric(name, name.replace("_", " ").capitalize())


def count(name: str, n: int = 1, day: datetime.date | None = None) -> None:
    """Add ``n`` to the counter ``name`` of ``day`` (today), once the transaction commits.

    Outside a transaction it is counted at once. ``n`` may be negative (a
    refund takes revenue back); a bad name or amount is a programming error.
    """
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ValueError(f"metric names are lowercase words joined by _, not {name!r}")
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"a metric counts whole numbers, not {n!r}")
    if n == 0:
        return
    day = day or timezone.localdate()
    transaction.on_commit(functools.partial(_record, name, n, day))


def _record(name: str, n: int, day: datetime.date) -> None:
    for backend in get_backends():
        try:
            backend.count(name, n, day)
        except Exception:
            logger.exception("metrics backend %s failed to count %s", type(backend).__name__, name)


_backends: tuple | None = None


def get_backends() -> tuple:
    """The configured backends, built once per process."""
    global _backends
    if _backends is None:
        _backends = tuple(import_string(path)() for path in settings.METRICS_BACKENDS)
    return _backends


def reset_backends() -> None:
    """Close the backends; the next count builds them again from the settings."""
    global _backends
    for backend in _backends or ():
        if hasattr(backend, "close"):
            backend.close()
    _backends = None


@receiver(setting_changed)
def _reset_backends(*, setting: str, **kwargs) -> None:
    if setting in {"METRICS_BACKENDS", "STATSD_HOST", "STATSD_PORT", "STATSD_PREFIX"}:
        reset_backends()
