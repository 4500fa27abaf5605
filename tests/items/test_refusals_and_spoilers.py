"""Every refusal of a couple's edit says no more than their spoiler setting shows.

"Show me nothing" hides whether anyone reserved or pledged at all; "counts
only" shows that guests gave, never how much. Each case below is a change
the guests' claims refuse; a new refusal belongs in ``CASES``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.items.models import Item
from apps.registries.models import Registry
from tests.factories import ItemFactory, ReservationFactory
from tests.gifts import group_gift, upgrade

pytestmark = pytest.mark.django_db

RESERVED = 37  # what guests hold, in numbers no form field or price shows
PLEDGED = Decimal("4321.09")
SECRET_AMOUNTS = ("4321", "4,321", "4.321")


def _reserved(registry) -> Item:
    item = ItemFactory(registry=registry, quantity=40, price=Decimal("50"), currency="USD")
    ReservationFactory(item=item, quantity=RESERVED)
    return item


def _pledged(registry) -> Item:
    bike = group_gift(registry, price="5000.00", currency="USD")
    Item.objects.filter(pk=bike.pk).update(pledged_total=PLEDGED)
    return bike


# (name, the gift, what the couple posts)
CASES = [
    ("quantity below reserved", _reserved, {"quantity": "1", "price": "50", "currency": "USD"}),
    ("reserved gift to group gift", _reserved, {"group_gift": "on", "quantity": "40", "price": "50"}),
    ("group gift with pledges to plain", _pledged, {"price": "5000", "currency": "USD"}),
    ("currency of pledges", _pledged, {"group_gift": "on", "price": "5000", "currency": "EUR"}),
    ("price below pledged", _pledged, {"group_gift": "on", "price": "100", "currency": "USD"}),
]


def _refusals(owner_client, registry, couple, item_data, spoilers: str, make, data) -> str:
    upgrade(registry, couple)
    Registry.objects.filter(pk=registry.pk).update(spoilers=spoilers)  # the event is weeks away
    item = make(registry)
    before = Item.objects.values().get(pk=item.pk)

    response = owner_client.post(reverse("items:edit", args=[registry.slug, item.pk]), item_data(**data))

    assert response.status_code == 200  # refused: the form again
    assert Item.objects.values().get(pk=item.pk) == before
    errors = " ".join(str(error) for errors in response.context["form"].errors.values() for error in errors)
    assert errors
    return errors


@pytest.mark.parametrize(("name", "make", "data"), CASES, ids=[case[0] for case in CASES])
def test_nothing_means_not_even_that_guests_gave(owner_client, registry, couple, item_data, name, make, data):
    errors = _refusals(owner_client, registry, couple, item_data, "none", make, data)

    assert not any(character.isdigit() for character in errors), errors
    assert "Guests have" not in errors


@pytest.mark.parametrize(("name", "make", "data"), CASES, ids=[case[0] for case in CASES])
def test_counts_only_never_shows_an_amount(owner_client, registry, couple, item_data, name, make, data):
    errors = _refusals(owner_client, registry, couple, item_data, "counts", make, data)

    assert not any(amount in errors for amount in SECRET_AMOUNTS), errors


def test_everything_shows_the_amount(owner_client, registry, couple, item_data):
    _name, make, data = CASES[-1]

    errors = _refusals(owner_client, registry, couple, item_data, "all", make, data)

    assert "$4,321.09" in errors
