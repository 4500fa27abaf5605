"""reservations:thank_yous — one thank-you list per guest, across everything they gave."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from apps.items.models import Item
from apps.registries.models import Registry
from apps.reservations import services
from apps.reservations.models import OffRegistryGift, Pledge, Reservation
from apps.reservations.thanks import thank_you_list
from tests.factories import ItemFactory


def _url(registry) -> str:
    return reverse("reservations:thank_yous", args=[registry.slug])


def _setup(registry, items):
    teapot, hammock, _card = items
    sofa = ItemFactory(registry=registry, title="Sofa", price=Decimal("900.00"), group_gift=True)
    services.reserve(
        teapot.pk, 1, "Pat", "pat@example.com", "For tea!", thank_you_address="3 Rua Nova, Lisbon"
    )
    services.AMOUNTS.take(sofa.pk, Decimal("60.00"), "Pat Doe", "PAT@example.com")
    OffRegistryGift.objects.create(
        registry=registry,
        guest_name="Pat",
        guest_email="pat@example.com",
        description="A cake stand",
        amount=Decimal("25.00"),
        currency="EUR",
    )
    services.reserve(hammock.pk, 2, "Kim", "kim@example.com")
    OffRegistryGift.objects.create(registry=registry, guest_name="Grandma", description="A quilt")
    return sofa


def test_one_entry_per_guest_across_reservations_pledges_and_gifts_off_the_list(registry, items):
    _setup(registry, items)
    guests = {guest.key: guest for guest in thank_you_list(registry)}

    assert set(guests) == {
        "pat@example.com",
        "kim@example.com",
        f"gift-{OffRegistryGift.objects.get(guest_name='Grandma').pk}",
    }
    pat = guests["pat@example.com"]
    assert sorted(gift.kind for gift in pat.gifts) == ["gift", "pledge", "reservation"]
    assert pat.totals == [
        "€25.00",
        "$95.00",
    ]  # the teapot (35) and the pledge (60); the cake stand in EUR
    assert pat.address == "3 Rua Nova, Lisbon"
    assert guests["kim@example.com"].totals == ["$240.00"]  # two hammocks


def test_the_page_lists_them_with_messages_and_addresses(owner_client, registry, items):
    _setup(registry, items)
    html = owner_client.get(_url(registry)).content.decode()

    assert html.count('class="thank-you__name"') == 3
    for text in (
        "For tea!",
        "3 Rua Nova, Lisbon",
        "A cake stand",
        "€25.00",
        "Sofa",
        "2 × Hammock",
        "A quilt",
    ):
        assert text in html, text


def test_a_guest_is_thanked_and_unthanked_all_at_once(owner_client, registry, items):
    _setup(registry, items)
    post = reverse("reservations:guest_thanked", args=[registry.slug])

    response = owner_client.post(post, {"guest": "pat@example.com", "thanked": "1"}, follow=True)
    assert "Ticked off" in response.content.decode()
    rows = [
        *Reservation.objects.filter(guest_email="pat@example.com"),
        *Pledge.objects.filter(guest_email__iexact="pat@example.com"),
        *OffRegistryGift.objects.filter(guest_email="pat@example.com"),
    ]
    assert len(rows) == 3 and all(row.thanked and row.thanked_at for row in rows)
    assert not Reservation.objects.get(guest_email="kim@example.com").thanked
    pat = next(g for g in thank_you_list(registry) if g.key == "pat@example.com")
    assert pat.thanked and pat.thanked_at is not None
    assert "Thanked</span> on" in owner_client.get(_url(registry)).content.decode()

    owner_client.post(post, {"guest": "pat@example.com", "thanked": "0"})
    rows = [
        *Reservation.objects.filter(guest_email="pat@example.com"),
        *OffRegistryGift.objects.filter(guest_email="pat@example.com"),
    ]
    assert all(not row.thanked and row.thanked_at is None for row in rows)


def test_the_couple_records_who_gave_a_gift_off_the_list(owner_client, registry, items):
    hammock = items[1]
    data = {
        "guest_name": "Uncle Bo",
        "guest_email": "bo@example.com",
        "description": "The same hammock, from a shop in Faro",
        "item": hammock.pk,
        "amount": "110.00",
        "currency": "EUR",
        "message": "",
    }
    response = owner_client.post(_url(registry), data)

    assert response.status_code == 302
    gift = OffRegistryGift.objects.get(guest_email="bo@example.com")
    assert gift.item == hammock and gift.amount == Decimal("110.00")
    assert Item.objects.get(pk=hammock.pk).received_elsewhere == 1
    assert "Uncle Bo" in owner_client.get(_url(registry)).content.decode()


def test_a_gift_no_longer_left_cannot_be_recorded_against_it(owner_client, registry, items):
    teapot = items[0]
    services.reserve(teapot.pk, 1, "Pat", "pat@example.com")
    data = {"guest_name": "Bo", "description": "A teapot", "item": teapot.pk, "currency": "USD"}
    response = owner_client.post(_url(registry), data)

    assert response.status_code == 400
    assert "already claimed all of “Teapot”" in response.content.decode()
    assert not OffRegistryGift.objects.filter(guest_name="Bo").exists()
    assert Item.objects.get(pk=teapot.pk).received_elsewhere == 0


def test_the_spoiler_setting_keeps_it_closed(owner_client, registry, items):
    _setup(registry, items)
    registry.spoilers = Registry.Spoilers.COUNTS
    registry.save()

    html = owner_client.get(_url(registry)).content.decode()
    assert "Pat" not in html and "Kim" not in html
    assert "Your thank-you list opens then" in html
    owner_client.post(
        reverse("reservations:guest_thanked", args=[registry.slug]),
        {"guest": "pat@example.com", "thanked": "1"},
    )
    assert not Reservation.objects.get(guest_email="pat@example.com").thanked


def test_only_the_owners(client, other_client, registry):
    assert other_client.get(_url(registry)).status_code == 404
    assert client.get(_url(registry)).status_code == 302


def test_the_dashboard_links_to_it_with_how_many_to_thank(owner_client, registry, items):
    _setup(registry, items)
    html = owner_client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()
    assert "3 guests still to thank." in html
    assert f'href="{_url(registry)}"' in html


def test_the_guests_address_is_erased_with_their_details(registry, items):
    from apps.privacy.services import erase_guest_data

    _setup(registry, items)
    erase_guest_data(today=registry.event_date, days=0)
    assert not Reservation.objects.exclude(thank_you_address="").exists()
