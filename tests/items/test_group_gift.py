"""Marking a gift as a group gift: on every plan (issue 15), behind the group_gifts flag."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.items.models import Item
from apps.ops import flags
from tests.factories import ItemFactory, ReservationFactory
from tests.gifts import group_gift, switch_off, upgrade

pytestmark = pytest.mark.django_db


def _add(registry) -> str:
    return reverse("items:add", args=[registry.slug])


def _edit(item) -> str:
    return reverse("items:edit", args=[item.registry.slug, item.pk])


def test_the_free_plan_makes_a_group_gift(owner_client, registry, item_data):
    """Issue 15: funds and group gifts are free; nothing is offered and refused afterwards."""
    response = owner_client.post(_add(registry), item_data(group_gift="on", price="400"))

    assert response.status_code == 302
    assert Item.objects.get(registry=registry).group_gift


def test_the_free_plan_turns_a_gift_into_a_group_gift(owner_client, registry, item_data):
    item = ItemFactory(registry=registry, title="Espresso machine")

    response = owner_client.post(_edit(item), item_data(group_gift="on", price="300"))

    assert response.status_code == 302
    assert Item.objects.get(pk=item.pk).group_gift


def test_premium_makes_group_gifts(owner_client, registry, couple, item_data):
    upgrade(registry, couple)

    response = owner_client.post(_add(registry), item_data(group_gift="on", price="400"))

    assert response.status_code == 302
    item = Item.objects.get(registry=registry)
    assert (item.group_gift, item.price, item.pledged_total) == (True, Decimal("400.00"), Decimal("0.00"))
    public = owner_client.get(reverse("registries:public", args=[registry.slug])).content.decode()
    assert reverse("reservations:pledge", args=[registry.slug, item.pk]) in public


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"price": ""}, "A group gift needs a price for guests to contribute toward."),
        ({"unlimited": "on"}, "A group gift collects toward one price: untick “unlimited”."),
    ],
)
def test_a_group_gift_needs_one_price(owner_client, registry, couple, item_data, overrides, field_error):
    upgrade(registry, couple)

    response = owner_client.post(_add(registry), item_data(group_gift="on", **overrides))

    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not Item.objects.filter(registry=registry).exists()


def test_a_reserved_gift_cannot_become_a_group_gift(owner_client, registry, couple, item_data):
    upgrade(registry, couple)
    item = ItemFactory(registry=registry, quantity=2)
    ReservationFactory(item=item)

    response = owner_client.post(_edit(item), item_data(group_gift="on", quantity="2"))

    assert "already reserved this gift, so it can" in response.content.decode()
    assert not Item.objects.get(pk=item.pk).group_gift


def test_pledges_keep_a_group_gift_and_its_price(owner_client, registry, couple, item_data):
    upgrade(registry, couple)
    bike = group_gift(registry, price="300.00")
    Item.objects.filter(pk=bike.pk).update(pledged_total=Decimal("120"))

    unticked = owner_client.post(_edit(bike), item_data(price="300", currency="USD"))
    cheaper = owner_client.post(_edit(bike), item_data(group_gift="on", price="100", currency="USD"))
    euros = owner_client.post(_edit(bike), item_data(group_gift="on", price="300", currency="EUR"))

    assert "Guests have pledged toward this gift, so it stays a group gift." in unticked.content.decode()
    assert "already pledged $120.00, so the price can" in cheaper.content.decode()
    assert "Guests have pledged in USD, so the currency stays USD." in euros.content.decode()
    bike.refresh_from_db()
    assert (bike.group_gift, bike.price, bike.currency) == (True, Decimal("300.00"), "USD")

    fine = owner_client.post(_edit(bike), item_data(group_gift="on", price="120", currency="USD"))
    assert fine.status_code == 302
    bike.refresh_from_db()
    assert bike.price == Decimal("120.00")
    assert not bike.is_available


def test_after_a_downgrade_existing_group_gifts_stay(owner_client, registry, item_data):
    """The plan refuses marking a gift, not keeping one already marked."""
    bike = group_gift(registry, price="300.00")

    response = owner_client.post(_edit(bike), item_data(group_gift="on", price="300", title="Tandem"))

    assert response.status_code == 302
    assert Item.objects.get(pk=bike.pk).title == "Tandem"


def test_with_the_flag_off_the_checkbox_is_hidden_and_ignored(
    owner_client, registry, couple, item_data, django_capture_on_commit_callbacks
):
    upgrade(registry, couple)
    assert 'name="group_gift"' in owner_client.get(_add(registry)).content.decode()

    switch_off(flags.GROUP_GIFTS, django_capture_on_commit_callbacks)

    assert 'name="group_gift"' not in owner_client.get(_add(registry)).content.decode()
    owner_client.post(_add(registry), item_data(group_gift="on"))
    assert Item.objects.get(registry=registry).group_gift is False
