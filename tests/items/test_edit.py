"""items:edit — the couple changes a gift."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.items.models import Item
from apps.registries.models import Registry
from tests.factories import ItemFactory, ReservationFactory, image_file

pytestmark = pytest.mark.django_db


def _url(item) -> str:
    return reverse("items:edit", args=[item.registry.slug, item.pk])


def _form_of(item, **overrides) -> dict:
    data = {
        "title": item.title,
        "description": item.description,
        "price": str(item.price or ""),
        "currency": item.currency,
        "quantity": str(item.quantity),
        "store_url": item.store_url,
        "priority": str(item.priority),
        "category": item.category,
        "note": item.note,
    }
    if item.unlimited:
        data["unlimited"] = "on"
    if item.hidden:
        data["hidden"] = "on"
    data.update(overrides)
    return data


def test_the_form_is_filled_in(owner_client, items):
    response = owner_client.get(_url(items[0]))

    assert response.status_code == 200
    assert 'value="Teapot"' in response.content.decode()
    assert 'value="35.00"' in response.content.decode()


def test_saving_changes_the_item_and_bumps_both_cache_versions(owner_client, registry, items):
    teapot = items[0]

    response = owner_client.post(
        _url(teapot), _form_of(teapot, title="Blue teapot", price="39.50", hidden="on")
    )

    stored = Item.objects.get(pk=teapot.pk)
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("registries:dashboard", args=[registry.slug]) + f"#item-{teapot.pk}"
    )
    assert (stored.title, str(stored.price), stored.hidden) == ("Blue teapot", "39.50", True)
    assert stored.cache_version == teapot.cache_version + 1
    assert stored.position == teapot.position
    assert Registry.objects.get(pk=registry.pk).cache_version == registry.cache_version + 1


def test_the_current_picture_is_shown_as_a_thumbnail(owner_client, registry, item_data):
    owner_client.post(reverse("items:add", args=[registry.slug]), item_data(image=image_file("pot.png")))
    item = Item.objects.get()

    html = owner_client.get(_url(item)).content.decode()

    assert 'class="item-thumb"' in html
    assert "/media/cache/" in html  # sorl-thumbnail's generated file
    assert 'width="240" height="180"' in html


def test_the_quantity_cannot_drop_below_what_is_reserved(owner_client, registry, items):
    hammock = items[1]  # quantity 2
    ReservationFactory(item=hammock, quantity=2)

    response = owner_client.post(_url(hammock), _form_of(hammock, quantity="1", title="Renamed"))

    assert "Guests have already reserved 2 of this gift" in response.content.decode()
    stored = Item.objects.get(pk=hammock.pk)
    assert (stored.quantity, stored.title, stored.cache_version) == (2, "Hammock", 1)


def test_the_refusal_does_not_reveal_counts_when_spoilers_are_hidden(owner_client, registry, items):
    Registry.objects.filter(pk=registry.pk).update(
        spoilers="none", event_date=timezone.localdate() + datetime.timedelta(days=30)
    )
    hammock = items[1]
    ReservationFactory(item=hammock, quantity=2)

    response = owner_client.post(_url(hammock), _form_of(hammock, quantity="1"))

    html = response.content.decode()
    assert "guests may already have reserved some of this gift" in html
    assert "reserved 2" not in html
    assert Item.objects.get(pk=hammock.pk).quantity == 2


def test_unlimited_cannot_become_fewer_than_reserved(owner_client, items):
    gift_card = items[2]  # unlimited
    ReservationFactory(item=gift_card, quantity=3)

    response = owner_client.post(_url(gift_card), _form_of(gift_card, unlimited="", quantity="2"))

    assert "Guests have already reserved 3 of this gift" in response.content.decode()
    assert Item.objects.get(pk=gift_card.pk).unlimited is True


def test_raising_the_quantity_keeps_the_reservations(owner_client, items):
    hammock = items[1]
    ReservationFactory(item=hammock, quantity=2)

    owner_client.post(_url(hammock), _form_of(hammock, quantity="5"))

    stored = Item.objects.get(pk=hammock.pk)
    assert (stored.quantity, stored.reserved_count) == (5, 2)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "-1", "The price must be more than zero."),
        ("price", "5000000", "The price can be at most 1,000,000."),
        ("quantity", "0", "Ask for at least 1"),
        ("title", "", "This field is required."),
        ("title", "x" * 201, "at most 200 characters"),
        ("currency", "XXX", "Select a valid choice."),
        ("priority", "9", "Select a valid choice."),
    ],
)
def test_bad_input_changes_nothing(owner_client, items, field, value, message):
    teapot = items[0]

    response = owner_client.post(_url(teapot), _form_of(teapot, **{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    stored = Item.objects.get(pk=teapot.pk)
    assert (stored.title, str(stored.price), stored.quantity, stored.cache_version) == (
        "Teapot",
        "35.00",
        1,
        1,
    )


def test_another_couples_item_is_404_even_under_my_slug(owner_client, registry, other_couple):
    from tests.factories import RegistryFactory

    foreign = ItemFactory(registry=RegistryFactory(slug="theirs", owners=[other_couple]), title="Theirs")

    url = reverse("items:edit", args=[registry.slug, foreign.pk])
    assert owner_client.get(url).status_code == 404
    assert owner_client.post(url, _form_of(foreign, title="Mine now")).status_code == 404
    assert Item.objects.get(pk=foreign.pk).title == "Theirs"
