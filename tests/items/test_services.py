"""apps.items.services: the workflows behind the gift pages."""

from __future__ import annotations

import pytest

from apps.items import services
from apps.items.models import Item
from apps.registries.models import Registry
from tests.factories import ItemFactory, ReservationFactory

pytestmark = pytest.mark.django_db


def _version(registry) -> int:
    return Registry.objects.get(pk=registry.pk).cache_version


def test_add_item_goes_to_the_end(registry, items):
    item = services.add_item(registry, Item(title="Kettle"))

    assert item.position == 4
    assert _version(registry) == 2


def test_add_item_to_an_empty_registry_starts_at_one(registry):
    assert services.add_item(registry, Item(title="Kettle")).position == 1


def test_update_item_never_writes_back_a_stale_reserved_count(registry, items):
    hammock = Item.objects.get(pk=items[1].pk)  # reserved_count 0 in memory
    ReservationFactory(item=items[1])  # a guest reserves meanwhile

    hammock.title = "Big hammock"
    services.update_item(hammock)

    stored = Item.objects.get(pk=hammock.pk)
    assert (stored.title, stored.reserved_count, stored.cache_version) == ("Big hammock", 1, 2)
    assert hammock.reserved_count == 1
    assert _version(registry) == 2


def test_update_item_refuses_a_quantity_below_the_reserved_count(registry, items):
    hammock = Item.objects.get(pk=items[1].pk)
    ReservationFactory(item=items[1], quantity=2)

    hammock.quantity = 1
    hammock.title = "Renamed"
    with pytest.raises(services.QuantityBelowReserved) as exc:
        services.update_item(hammock)

    assert (exc.value.code, exc.value.params["reserved"]) == ("quantity_below_reserved", 2)
    stored = Item.objects.get(pk=hammock.pk)
    assert (stored.quantity, stored.title, stored.cache_version) == (2, "Hammock", 1)
    assert _version(registry) == 1


def test_set_hidden(registry, items):
    services.set_hidden(items[0], True)

    stored = Item.objects.get(pk=items[0].pk)
    assert (stored.hidden, stored.cache_version) == (True, 2)
    assert _version(registry) == 2


def test_delete_item(registry, items):
    services.delete_item(items[0])

    assert list(registry.items.values_list("title", flat=True)) == ["Hammock", "Gift card"]
    assert _version(registry) == 2


def test_move_item_at_the_edges_does_nothing(registry, items):
    assert services.move_item(items[0], "up") is False
    assert services.move_item(items[2], "down") is False

    assert _version(registry) == 1


def test_move_item_rejects_an_unknown_direction(items):
    with pytest.raises(ValueError, match="direction"):
        services.move_item(items[0], "left")


def test_reorder_items_with_the_same_order_changes_nothing(registry, items):
    services.reorder_items(registry, [item.pk for item in items])

    assert _version(registry) == 1
    assert set(Item.objects.values_list("cache_version", flat=True)) == {1}


def test_reorder_items_refuses_another_registrys_item(registry, items):
    foreign = ItemFactory()

    with pytest.raises(services.ReorderError):
        services.reorder_items(registry, [items[0].pk, items[1].pk, foreign.pk])

    assert list(registry.items.values_list("title", flat=True)) == ["Teapot", "Hammock", "Gift card"]
