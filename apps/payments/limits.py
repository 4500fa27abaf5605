"""Which plan a registry is on: the answer ``apps.registries.plans`` asks for before a change.

A registry is on the plan of its paid order (the dearest one, should there be
several); with no paid order, or after a refund or reversal, it is on Free.

After a downgrade nothing is deleted or hidden: items over the free limit stay
visible to guests and can still be reserved, but no item can be added until the
registry is under the limit again (or upgraded again); the paid features
(your own cover photo, the CSV export) are refused from then on. A passphrase,
funds and group gifts are on every plan (see ``offers`` for the whole list):
guests' privacy and the gifts themselves are never a paid feature.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from .models import FREE_SLUG, Order, Plan

# Used only if the Free row has been deleted in the admin: never fail open.
FREE_DEFAULTS = {
    "slug": FREE_SLUG,
    "name": "Free",
    "price": Decimal("0.00"),
    "currency": "USD",
    "max_items": 30,
    "allows_passphrase": True,
    "allows_group_gifts": True,
    "whisper_branding": True,
}


def _free_plan() -> Plan:
    return Plan(**FREE_DEFAULTS)


def current_plan(registry) -> Plan:
    """The plan ``registry`` is on now (one query)."""
    if registry.pk is None:
        # Not saved yet (a registry being created): no order can have paid for it.
        return Plan.objects.filter(slug=FREE_SLUG).first() or _free_plan()
    paid = Exists(Order.objects.filter(registry=registry, status=Order.Status.PAID, plan=OuterRef("pk")))
    plan = (
        Plan.objects.annotate(paid=paid)
        .filter(Q(paid=True) | Q(slug=FREE_SLUG))
        .order_by("-paid", "-price", "-id")
        .first()
    )
    return plan or _free_plan()


def plans_for(registries: Iterable) -> dict[int, Plan]:
    """The current plan of each registry, by registry id (two queries, for lists)."""
    ids = [getattr(r, "pk", r) for r in registries]
    best: dict[int, Plan] = {}
    for order in Order.objects.paid().filter(registry_id__in=ids).select_related("plan"):
        held = best.get(order.registry_id)
        if held is None or order.plan.price > held.price:
            best[order.registry_id] = order.plan
    if len(best) == len(ids):
        return best
    free = Plan.objects.filter(slug=FREE_SLUG).first() or _free_plan()
    return {pk: best.get(pk, free) for pk in ids}
