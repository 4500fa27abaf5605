"""What a registry's plan allows: the question the couple's changes ask before they are made.

Plans are sold by ``apps.payments``, which stands above the apps whose changes
a plan limits (registries, items, reservations). It answers by providing its
``limits`` module to :data:`limits` at start-up (``apps.payments.contributions``),
so none of them imports it; the functions here pass each question on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apps.core.errors import ServiceError
from apps.core.hooks import Hook

# Provided by apps.payments: its ``limits`` module.
limits = Hook("the plan limits")


class PlanLimitReached(ServiceError):
    """A change the registry's plan does not allow; ``str(error)`` is for the couple."""


def current_plan(registry) -> Any:
    """The plan ``registry`` is on now (one query)."""
    return limits.only().current_plan(registry)


def plans_for(registries: Iterable) -> dict[int, Any]:
    """The current plan of each registry, by registry id (two queries, for lists)."""
    return limits.only().plans_for(registries)


def allows(registry, feature: str) -> bool:
    """Whether ``registry``'s plan unlocks ``feature`` ("passphrase", "cover_photo", …)."""
    return limits.only().allows(registry, feature)


def ensure_allows(registry, feature: str) -> None:
    """Raise :class:`PlanLimitReached` unless the plan unlocks ``feature``."""
    limits.only().ensure_allows(registry, feature)


def ensure_can_add_item(registry) -> None:
    """Raise :class:`PlanLimitReached` unless one more item fits."""
    limits.only().ensure_can_add_item(registry)
