"""The Django admin pages for registries and gifts (operators)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.items.models import Item
from apps.registries.models import Registry
from tests.factories import ReservationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_registry_list_search_and_filter(admin_client, registry):
    url = reverse("admin:registries_registry_changelist")

    assert "alex-and-sam" in admin_client.get(url, {"q": "Sam"}).content.decode()
    assert "alex-and-sam" not in admin_client.get(url, {"q": "Nobody"}).content.decode()
    assert "alex-and-sam" not in admin_client.get(url, {"privacy__exact": "protected"}).content.decode()


def test_registry_change_page_bumps_the_cache_version(admin_client, registry, couple):
    url = reverse("admin:registries_registry_change", args=[registry.pk])
    assert admin_client.get(url).status_code == 200

    data = {
        "slug": registry.slug,
        "partner_one": "Alex",
        "partner_two": "Sam",
        "event_date": registry.event_date.isoformat(),
        "time_zone": "Europe/Lisbon",
        "currency": "EUR",
        "location": "Faro",
        "welcome_message": "",
        "privacy": "public",
        "spoilers": "all",
        "contributions_via": "own",
        "language": "en",
        "owners": str(couple.pk),
    }
    response = admin_client.post(url, data)

    assert response.status_code == 302
    stored = Registry.objects.get(pk=registry.pk)
    assert (stored.location, stored.cache_version) == ("Faro", 2)


def test_item_pages_show_reservations_read_only(admin_client, items):
    ReservationFactory(item=items[0], guest_name="Robin Guest")

    assert "Teapot" in admin_client.get(reverse("admin:items_item_changelist"), {"q": "tea"}).content.decode()
    html = admin_client.get(reverse("admin:items_item_change", args=[items[0].pk])).content.decode()

    assert "Robin Guest" in html
    assert 'name="reservations-0-guest_name"' not in html  # read-only inline


def test_item_change_bumps_the_cache_version_and_keeps_the_reserved_count(admin_client, items):
    teapot = items[0]
    url = reverse("admin:items_item_change", args=[teapot.pk])
    data = {
        "registry": teapot.registry_id,
        "title": "Green teapot",
        "kind": "gift",
        "description": teapot.description,
        "price": "35.00",
        "currency": "USD",
        "quantity": "3",
        "store_url": "",
        "priority": "2",
        "category": "Kitchen",
        "note": "",
        "position": "1",
        "reservations-TOTAL_FORMS": "0",
        "reservations-INITIAL_FORMS": "0",
        "reservations-MIN_NUM_FORMS": "0",
        "reservations-MAX_NUM_FORMS": "1000",
    }
    ReservationFactory(item=teapot, quantity=1)

    response = admin_client.post(url, data)

    assert response.status_code == 302
    stored = Item.objects.get(pk=teapot.pk)
    assert (stored.title, stored.quantity, stored.reserved_count, stored.cache_version) == (
        "Green teapot",
        3,
        1,
        2,
    )
