"""What a registry's plan allows: the question the couple's changes ask before they are made.

Plans are sold by ``apps.payments``, which stands above the apps whose changes
a plan limits (registries, items, reservations). It says which plan a registry
is on by providing its ``limits`` module to :data:`limits` at start-up
(``apps.payments.contributions``), so none of them imports it; what a plan
allows, and the refusals, are here. The services check before every change,
so the limits hold for every request, not only in templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from apps.core.errors import ServiceError
from apps.core.hooks import Hook

# Provided by apps.payments: its ``limits`` module (``current_plan``, ``plans_for``).
limits = Hook("the plan limits")

FEATURE_NAMES = {
    "passphrase": _("Passphrase protection"),
    "cover_photo": _("A cover photo"),
    "csv_export": _("CSV export"),
    "group_gifts": _("Funds and group gifts"),
}


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
    return current_plan(registry).allows(feature)


def ensure_allows(registry, feature: str) -> None:
    """Raise :class:`PlanLimitReached` unless the plan unlocks ``feature``."""
    if not allows(registry, feature):
        raise PlanLimitReached(
            _("%(feature)s comes with an upgrade of the registry."),
            code="feature_not_in_plan",
            feature=FEATURE_NAMES[feature],
        )


def ensure_can_add_item(registry) -> None:
    """Raise :class:`PlanLimitReached` unless one more item fits (two queries at most)."""
    plan = current_plan(registry)
    if plan.max_items is not None and registry.items.count() >= plan.max_items:
        raise PlanLimitReached(
            ngettext_lazy(
                "The %(plan)s plan holds up to %(max_items)s item. "
                "Remove it or upgrade the registry to add more.",
                "The %(plan)s plan holds up to %(max_items)s items. "
                "Remove an item or upgrade the registry to add more.",
                plan.max_items,
            ),
            code="item_limit",
            plan=plan.name,
            max_items=plan.max_items,
        )
