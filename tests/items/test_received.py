"""items:received — the couple got a gift from someone off the registry; it no longer remains."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from apps.items import services
from apps.items.models import Item
from apps.registries.models import Registry
from apps.reservations import services as reservations
from tests.factories import ItemFactory, ReservationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def glasses(registry):
    """Six wine glasses wanted, two reserved by guests."""
    item = ItemFactory(registry=registry, title="Wine glass", quantity=6)
    ReservationFactory.create_batch(2, item=item)
    return item


def _url(item) -> str:
    return reverse("items:received", args=[item.registry.slug, item.pk])


def test_the_edit_page_has_the_control(owner_client, glasses):
    html = owner_client.get(reverse("items:edit", args=[glasses.registry.slug, glasses.pk])).content.decode()

    assert f'action="{_url(glasses)}"' in html
    assert 'name="received_elsewhere" value="0"' in html


def test_received_units_no_longer_remain(owner_client, glasses, registry):
    response = owner_client.post(_url(glasses), {"received_elsewhere": "3"}, follow=True)

    assert "you received 3 of “Wine glass” from someone off the registry" in response.content.decode()
    glasses.refresh_from_db()
    assert (glasses.received_elsewhere, glasses.remaining()) == (3, 1)
    assert Item.objects.available().filter(pk=glasses.pk).exists()
    guest_page = Client().get(reverse("registries:public", args=[registry.slug])).content.decode()
    assert "1 of 6 left" in guest_page
    assert Registry.objects.get(pk=registry.pk).cache_version == registry.cache_version + 1


def test_it_cannot_exceed_what_is_left(owner_client, glasses):
    owner_client.post(_url(glasses), {"received_elsewhere": "1"})

    response = owner_client.post(_url(glasses), {"received_elsewhere": "5"}, follow=True)

    assert "Only 4 of “Wine glass” are not reserved by guests, so you can mark at most 4" in (
        response.content.decode()
    )
    glasses.refresh_from_db()
    assert glasses.received_elsewhere == 1


def test_guests_can_no_longer_reserve_what_was_received(glasses):
    services.set_received_elsewhere(glasses, 4)

    with pytest.raises(reservations.NotAvailable, match="no longer available"):
        reservations.reserve(glasses.pk, 1, "Pat", "pat@example.com")
    glasses.refresh_from_db()
    assert glasses.reserved_count == 2
    assert not Item.objects.available().filter(pk=glasses.pk).exists()


def test_the_quantity_cannot_drop_below_reserved_plus_received(owner_client, glasses, item_data):
    services.set_received_elsewhere(glasses, 3)

    response = owner_client.post(
        reverse("items:edit", args=[glasses.registry.slug, glasses.pk]), item_data(quantity="4")
    )

    assert "you received 3 elsewhere, so the quantity can" in response.content.decode()
    assert Item.objects.get(pk=glasses.pk).quantity == 6


@pytest.mark.parametrize(
    ("value", "error"),
    [("-1", "Enter 0 or more."), ("many", "Enter a whole number."), ("", "Enter how many")],
)
def test_bad_input_changes_nothing(owner_client, glasses, value, error):
    response = owner_client.post(_url(glasses), {"received_elsewhere": value}, follow=True)

    assert error in response.content.decode()
    assert Item.objects.get(pk=glasses.pk).received_elsewhere == 0


def test_any_number_welcome_has_nothing_to_mark(owner_client, registry):
    card = ItemFactory(registry=registry, unlimited=True)

    response = owner_client.post(_url(card), {"received_elsewhere": "1"}, follow=True)

    assert "Any number is welcome for this gift" in response.content.decode()
    assert Item.objects.get(pk=card.pk).received_elsewhere == 0


def test_spoilers_keep_the_counts_out_of_the_message(owner_client, glasses, registry):
    Registry.objects.filter(pk=registry.pk).update(spoilers=Registry.Spoilers.NONE)

    response = owner_client.post(_url(glasses), {"received_elsewhere": "6"}, follow=True)

    html = response.content.decode()
    assert "That is more than is left of this gift" in html
    assert "Only 4" not in html


def test_other_couples_get_a_404(other_client, glasses):
    assert other_client.post(_url(glasses), {"received_elsewhere": "1"}).status_code == 404
    assert Item.objects.get(pk=glasses.pk).received_elsewhere == 0


def test_the_database_refuses_more_than_the_quantity(glasses):
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=glasses.pk).update(received_elsewhere=5)
