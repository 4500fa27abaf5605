"""Workflows on a registry's gifts: add, change, hide, delete, reorder, received elsewhere.

Each public function runs in one transaction and bumps the cache versions of
the item it changes (``F("cache_version") + 1``, never read-modify-write) and
of its registry, so cached fragments of the public page go stale at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Case, F, Max, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.core import thumbnails
from apps.core.errors import ServiceError
from apps.core.money import format_money
from apps.registries import plans
from apps.registries.models import Registry

from . import hooks
from .models import Item

# What the couple edits. reserved_count and pledged_total belong to the
# reservation services, received_elsewhere to set_received_elsewhere, and
# cache_version is bumped in SQL: none is ever written from memory.
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
    "group_gift",
    "kind",
]


class QuantityBelowReserved(ServiceError):
    """The new quantity is below what guests have reserved (params ``reserved``, ``received`` elsewhere)."""

    code = "quantity_below_reserved"
    # No counts: the spoiler setting decides whether the couple may see them (ItemForm says it).
    message = _("The quantity can't go that low: guests may already have reserved some of this gift.")


class GroupGiftRefused(ServiceError):
    """A change to a group gift that would not add up; ``field`` names the form field it is about."""

    def __init__(self, message: str | Promise, *, code: str, field: str = "group_gift", **params) -> None:
        super().__init__(message, code=code, **params)
        self.field = field


class ReceivedTooMany(ServiceError):
    """More marked as received elsewhere than guests left.

    Param ``most`` is how many could be marked (None: the gift takes any number).
    """

    code = "received_too_many"
    message = _("That is more than is left of this gift.")


class ReorderError(ServiceError):
    """The new order is not exactly the registry's items."""


def add_item(registry: Registry, item: Item) -> Item:
    """Save the new ``item`` (unsaved instance) at the end of ``registry``'s list.

    Raises ``plans.PlanLimitReached`` (and saves nothing, not even an
    uploaded picture) when the registry's plan holds no more items, or has
    no group gifts and ``item`` is one; ``GroupGiftRefused`` for a group gift
    without one price.
    """
    with transaction.atomic():
        # Lock the registry so two gifts added at once get different positions,
        # and are counted one after the other against the plan's item limit.
        Registry.objects.select_for_update().filter(pk=registry.pk).values_list("pk").get()
        plans.ensure_can_add_item(registry)
        if item.group_gift:
            _check_group_gift(registry, item, was_group_gift=False, reserved=0, pledged=0, currency="")
        last = Item.objects.filter(registry=registry).aggregate(last=Max("position"))["last"]
        item.registry = registry
        item.position = (last or 0) + 1
        item.save()
        # A picture: its thumbnails, in the worker.
        thumbnails.make_thumbnails_on_commit(item, "image", "item", created=True)
        registry.bump_version()
    return item


def update_item(item: Item) -> Item:
    """Save the couple's changes to ``item``.

    Raises ``QuantityBelowReserved`` (and changes nothing) when the quantity
    would drop below what guests have reserved plus what the couple received
    elsewhere, and ``GroupGiftRefused`` or ``plans.PlanLimitReached`` (the
    plan has no group gifts) for a group-gift change that cannot be made.
    """
    with transaction.atomic():
        # Lock the row: a guest reserving or pledging now waits until we are done.
        row = (
            Item.objects.select_for_update()
            .values("reserved_count", "received_elsewhere", "group_gift", "pledged_total", "currency")
            .get(pk=item.pk)
        )
        reserved, received = row["reserved_count"], row["received_elsewhere"]
        if not item.unlimited and item.quantity < reserved + received:
            raise QuantityBelowReserved(reserved=reserved, received=received)
        if item.group_gift or row["group_gift"]:
            _check_group_gift(
                item.registry,
                item,
                row["group_gift"],
                reserved=reserved,
                pledged=row["pledged_total"],
                currency=row["currency"],
            )
        item.cache_version = F("cache_version") + 1
        # A new picture: its thumbnails, in the worker.
        thumbnails.make_thumbnails_on_commit(item, "image", "item")
        item.save(update_fields=[*EDITABLE_FIELDS, "cache_version", "updated_at"])
        item.registry.bump_version()
    item.refresh_from_db(fields=["cache_version", "reserved_count", "received_elsewhere", "pledged_total"])
    return item


# A refusal says no more than the couple's spoiler setting shows
# (``Registry.owner_view()``): everything; counts only (that guests gave, not
# how much); or nothing until after the event (not even that anyone gave).
Spoilers = Registry.Spoilers
_REFUSALS = {
    "already_reserved": {
        Spoilers.COUNTS: _("Guests have already reserved this gift, so it can't become a group gift."),
        Spoilers.NONE: _("This gift can't become a group gift any more: guests may have reserved it."),
    },
    "already_pledged": {
        Spoilers.COUNTS: _("Guests have pledged toward this gift, so it stays a group gift."),
        Spoilers.NONE: _("This gift stays a group gift: guests may have contributed toward it."),
    },
    "currency_pledged": {
        Spoilers.COUNTS: _("Guests have pledged in %(currency)s, so the currency stays %(currency)s."),
        Spoilers.NONE: _("The currency stays %(currency)s: guests may have contributed in it."),
    },
    "price_below_pledged": {
        Spoilers.ALL: _("Guests have already pledged %(pledged)s, so the price can't go below that."),
        Spoilers.COUNTS: _(
            "Guests have already pledged toward this gift, so the price can't go below what they gave."
        ),
        Spoilers.NONE: _("The price can't go that low: guests may have contributed more toward it."),
    },
}


def _refused(code: str, view: str, field: str = "group_gift", **params) -> GroupGiftRefused:
    """The refusal ``code`` in the words ``view`` allows (an amount only when it shows everything)."""
    words = _REFUSALS[code]
    message = words.get(view) or words[Spoilers.COUNTS]  # counts are all that everything adds to these
    if view != Spoilers.ALL:
        params.pop("pledged", None)
    return GroupGiftRefused(message, code=code, field=field, **params)


def _check_group_gift(
    registry: Registry, item: Item, was_group_gift: bool, reserved: int, pledged, currency: str
) -> None:
    """Refuse a group-gift change that the plan or the guests' pledges do not allow.

    ``reserved``, ``pledged`` and ``currency`` are the stored row's, read under its lock.
    """
    if item.group_gift and not was_group_gift:
        plans.ensure_allows(registry, "group_gifts")
        if reserved:
            raise _refused("already_reserved", registry.owner_view())
    if was_group_gift and not item.group_gift and pledged:
        raise _refused("already_pledged", registry.owner_view())
    if not item.group_gift:
        return
    if item.unlimited:
        raise GroupGiftRefused(
            _("A group gift collects toward one price: untick “unlimited”."),
            code="unlimited",
            field="unlimited",
        )
    if item.price is None and not item.is_fund:  # a fund without a target takes any amount
        raise GroupGiftRefused(
            _("A group gift needs a price for guests to contribute toward."), code="no_price", field="price"
        )
    if pledged and item.currency != currency:
        raise _refused("currency_pledged", registry.owner_view(), field="currency", currency=currency)
    if item.price is not None and item.price < pledged:
        view = registry.owner_view()
        raise _refused(
            "price_below_pledged",
            view,
            field="price",
            pledged=format_money(pledged, currency),
            currency=currency,
        )


def set_received_elsewhere(item: Item, received: int) -> None:
    """Record that ``received`` units came from someone off the registry (it replaces the old number).

    They no longer remain for guests. One conditional UPDATE, so a guest
    reserving at the same moment can never make the two add up to more than
    the quantity: ``ReceivedTooMany`` is raised and nothing changes when
    ``received`` is more than guests left (or the item takes any number).
    """
    if received < 0:
        raise ReceivedTooMany(most=0)
    with transaction.atomic():
        updated = Item.objects.filter(
            pk=item.pk, unlimited=False, reserved_count__lte=F("quantity") - received
        ).update(received_elsewhere=received, cache_version=F("cache_version") + 1, updated_at=timezone.now())
        if not updated:
            row = Item.objects.values("unlimited", "quantity", "reserved_count").get(pk=item.pk)
            most = None if row["unlimited"] else max(row["quantity"] - row["reserved_count"], 0)
            raise ReceivedTooMany(most=most)
        item.registry.bump_version()
    item.received_elsewhere = received


def set_hidden(item: Item, hidden: bool) -> None:
    """Hide ``item`` from guests, or show it again; guests with a claim on it are told it was removed."""
    with transaction.atomic():
        hooks.gift_removed(item, removed=hidden, deleted=False)
        Item.objects.filter(pk=item.pk).update(
            hidden=hidden, cache_version=F("cache_version") + 1, updated_at=timezone.now()
        )
        item.registry.bump_version()
    item.hidden = hidden


def delete_item(item: Item) -> None:
    """Delete ``item``; guests with a claim on it are mailed, and their link says it was removed."""
    with transaction.atomic():
        registry = item.registry
        hooks.gift_removed(item, removed=True, deleted=True)
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
            raise ReorderError(_("Each gift may appear only once in the new order."), code="duplicate")
        if set(ids) != set(positions):
            raise ReorderError(
                _("The new order must list exactly the gifts of this registry."), code="not_the_gifts"
            )
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
