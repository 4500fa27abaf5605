"""Data fixtures: registries whose event is long past or recent, with guests on them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.items.models import Item
from apps.reservations.models import OffRegistryGift, Pledge
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def with_guests(registry, prefix: str) -> dict:
    """A reservation, a pledge and a gift bought elsewhere on ``registry``, each from a named guest."""
    item = ItemFactory(registry=registry, title=f"{prefix} teapot", quantity=3)
    group = ItemFactory(registry=registry, title=f"{prefix} bicycle", price=Decimal("400"), group_gift=True)
    reservation = ReservationFactory(
        item=item,
        guest_name=f"{prefix} Guest",
        guest_email=f"{prefix}@guests.example",
        message="Yay!",
        quantity=2,
    )
    pledge = Pledge.objects.create(
        item=group,
        amount=Decimal("40"),
        guest_name=f"{prefix} Giver",
        guest_email=f"{prefix}.g@guests.example",
    )
    Item.objects.filter(pk=group.pk).update(pledged_total=Decimal("40"))
    gift = OffRegistryGift.objects.create(
        registry=registry,
        guest_name=f"{prefix} Aunt",
        guest_email=f"{prefix}.a@guests.example",
        description="A vase",
        message="Love!",
    )
    return {"item": item, "group": group, "reservation": reservation, "pledge": pledge, "gift": gift}


@pytest.fixture
def old_event(db):
    """A registry whose event was 200 days ago, with guests."""
    registry = RegistryFactory(slug="long-ago", event_date=days_ago(200))
    return {"registry": registry, **with_guests(registry, "old")}


@pytest.fixture
def recent_event(db):
    """A registry whose event was 10 days ago, with guests."""
    registry = RegistryFactory(slug="just-married", event_date=days_ago(10))
    return {"registry": registry, **with_guests(registry, "new")}
