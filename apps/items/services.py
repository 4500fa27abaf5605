"""Workflows on a registry's gifts: add, change, hide, delete, reorder.

Each public function runs in one transaction and bumps the cache versions of
the item it changes (``F("cache_version") + 1``, never read-modify-write) and
of its registry, so cached fragments of the public page go stale at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Case, F, Max, Value, When
from django.utils import timezone

from apps.registries.models import Registry

from .models import Item

# What the couple edits. reserved_count belongs to the reservation services
# and cache_version is bumped in SQL: neither is ever written from memory.
EDITABLE_FIELDS = [
    "title",
    "description",
    "image",
    "price",
    "currency",
    "quantity",
    "unlimited",
    "store_url",
    "priority",
    "category",
    "note",
    "hidden",
]


class QuantityBelowReserved(Exception):
    """The new quantity is below what guests have already reserved."""

    def __init__(self, reserved: int) -> None:
        super().__init__(f"{reserved} already reserved")
        self.reserved = reserved


class ReorderError(ValueError):
    """The new order is not exactly the registry's items."""


def add_item(registry: Registry, item: Item) -> Item:
    """Save the new ``item`` (unsaved instance) at the end of ``registry``'s list."""
    with transaction.atomic():
        # Lock the registry so two gifts added at once get different positions.
        Registry.objects.select_for_update().filter(pk=registry.pk).values_list("pk").get()
        last = Item.objects.filter(registry=registry).aggregate(last=Max("position"))["last"]
        item.registry = registry
        item.position = (last or 0) + 1
        item.save()
        registry.bump_version()
    return item


def update_item(item: Item) -> Item:
    """Save the couple's changes to ``item``.

    Raises ``QuantityBelowReserved`` (and changes nothing) when the quantity
    would drop below what guests have reserved.
    """
    with transaction.atomic():
        # Lock the row: a guest reserving now waits until we are done.
        reserved = Item.objects.select_for_update().values_list("reserved_count", flat=True).get(pk=item.pk)
        if not item.unlimited and item.quantity < reserved:
            raise QuantityBelowReserved(reserved)
        item.cache_version = F("cache_version") + 1
        item.save(update_fields=[*EDITABLE_FIELDS, "cache_version", "updated_at"])
        item.registry.bump_version()
    item.refresh_from_db(fields=["cache_version", "reserved_count"])
    return item


def set_hidden(item: Item, hidden: bool) -> None:
    """Hide ``item`` from guests, or show it again."""
    with transaction.atomic():
        Item.objects.filter(pk=item.pk).update(
            hidden=hidden, cache_version=F("cache_version") + 1, updated_at=timezone.now()
        )
        item.registry.bump_version()
    item.hidden = hidden


def delete_item(item: Item) -> None:
    """Delete ``item`` and its reservations."""
    with transaction.atomic():
        registry = item.registry
        item.delete()
        registry.bump_version()


def move_item(item: Item, direction: str) -> bool:
    """Swap ``item`` with its neighbour above ("up") or below ("down").

    Returns False when it is already first/last. Positions are renumbered
    1..n on the way, so duplicate positions (e.g. from imports) sort out.
    """
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be up or down, not {direction!r}")
    with transaction.atomic():
        positions = _locked_positions(item.registry)
        order = list(positions)
        if item.pk not in positions:  # deleted meanwhile
            return False
        index = order.index(item.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(order):
            return False
        order[index], order[other] = order[other], order[index]
        _apply_order(item.registry, order, positions)
    return True


def reorder_items(registry: Registry, ids: Sequence[int]) -> None:
    """Put ``registry``'s items in the order of ``ids``.

    ``ids`` must name every item of the registry exactly once; otherwise
    ``ReorderError`` is raised and nothing changes.
    """
    with transaction.atomic():
        positions = _locked_positions(registry)
        if len(ids) != len(set(ids)):
            raise ReorderError("Each gift may appear only once in the new order.")
        if set(ids) != set(positions):
            raise ReorderError("The new order must list exactly the gifts of this registry.")
        _apply_order(registry, list(ids), positions)


def _locked_positions(registry: Registry) -> dict[int, int]:
    """Item id → position for the registry's items, in display order, rows locked."""
    return dict(
        Item.objects.select_for_update()
        .filter(registry=registry)
        .order_by("position", "id")
        .values_list("pk", "position")
    )


def _apply_order(registry: Registry, order: list[int], positions: dict[int, int]) -> None:
    """Number the items 1..n in ``order``: one UPDATE for the rows that move."""
    changed = {pk: n for n, pk in enumerate(order, start=1) if positions.get(pk) != n}
    if not changed:
        return
    Item.objects.filter(pk__in=changed).update(
        position=Case(*(When(pk=pk, then=Value(n)) for pk, n in changed.items())),
        cache_version=F("cache_version") + 1,
        updated_at=timezone.now(),
    )
    registry.bump_version()
