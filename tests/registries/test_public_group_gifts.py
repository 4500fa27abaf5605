"""Group gifts on the public page: the progress bar, "Contribute", and constant queries."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.items.models import Item
from apps.registries.models import Registry
from apps.reservations.services import AMOUNTS
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory
from tests.gifts import group_gift

pytestmark = pytest.mark.django_db


def _public(registry) -> str:
    return reverse("registries:public", args=[registry.slug])


def test_a_group_gift_shows_its_progress_and_a_contribute_link(client, registry):
    bike = group_gift(registry, price="300.00", title="Tandem bike")
    Item.objects.filter(pk=bike.pk).update(pledged_total=Decimal("75"))

    html = client.get(_public(registry)).content.decode()

    assert "Group gift" in html
    assert 'max="300.00" value="75.00"' in html
    assert "$75.00 of $300.00 pledged" in html
    assert reverse("reservations:pledge", args=[registry.slug, bike.pk]) in html
    assert reverse("reservations:reserve", args=[registry.slug, bike.pk]) not in html


def test_a_fully_funded_group_gift_says_thank_you_and_takes_no_more(client, registry):
    bike = group_gift(registry, price="300.00")
    Item.objects.filter(pk=bike.pk).update(pledged_total=Decimal("300"))

    html = client.get(_public(registry)).content.decode()

    assert "Fully funded — thank you!" in html
    assert reverse("reservations:pledge", args=[registry.slug, bike.pk]) not in html


def test_a_pledge_shows_at_once_on_the_cached_page(client, registry):
    bike = group_gift(registry, price="300.00")
    assert "$0.00 of $300.00 pledged" in client.get(_public(registry)).content.decode()

    AMOUNTS.take(bike.pk, Decimal("40"), "Robin", "robin@example.com")

    assert "$40.00 of $300.00 pledged" in client.get(_public(registry)).content.decode()


def test_the_couple_who_asked_for_surprises_sees_no_progress(owner_client, registry):
    group_gift(registry, price="300.00")
    Registry.objects.filter(pk=registry.pk).update(spoilers=Registry.Spoilers.NONE)

    html = owner_client.get(_public(registry)).content.decode()

    assert "Group gift" in html
    assert "pledged" not in html


def _registry_with(n: int, couple=None) -> Registry:
    """``n`` gifts, a third of them group gifts with pledges, some reserved."""
    registry = RegistryFactory(owners=[couple] if couple else None)
    for i in range(n):
        if i % 3 == 0:
            gift = group_gift(registry, price="90.00", category=f"Category {i % 4}")
            AMOUNTS.take(gift.pk, Decimal("30"), f"Guest {i}", f"g{i}@example.com")
        else:
            item = ItemFactory(registry=registry, category=f"Category {i % 4}", quantity=1 + i % 3)
            if i % 2:
                ReservationFactory(item=item)
    return registry


def _cold_queries(client, registry, settings) -> int:
    """Queries of one GET with an empty cache of its own: every card is rendered."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_public(registry))
    assert response.status_code == 200
    assert response.content.decode().count("pledged</span>") >= 2
    return len(queries)


def test_guest_queries_do_not_grow_with_group_gifts(settings, db):
    few, many = _registry_with(5), _registry_with(60)
    _cold_queries(Client(), few, settings)  # what a process looks up once (the read-only switch)

    counts = _cold_queries(Client(), few, settings), _cold_queries(Client(), many, settings)

    assert counts[0] == counts[1], counts


def test_owner_queries_do_not_grow_with_group_gifts(owner_client, couple, settings):
    few, many = _registry_with(5, couple), _registry_with(60, couple)
    _cold_queries(owner_client, few, settings)  # what a process looks up once (the read-only switch)

    counts = _cold_queries(owner_client, few, settings), _cold_queries(owner_client, many, settings)

    assert counts[0] == counts[1], counts
