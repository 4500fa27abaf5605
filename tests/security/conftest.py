"""A seeded site for the security tests: two couples' registries with one of
everything, and a client for each role (owner, another couple, a guest,
anonymous, staff).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import django_ratelimit.core
import pytest
from django.test import Client
from django.utils import timezone

from apps.importer.models import ImportJob
from apps.notifications.outbox import unsubscribe_token
from apps.payments.models import Order, Plan
from apps.registries.models import Registry
from apps.reservations.models import OffRegistryGift
from apps.reservations.services import AMOUNTS
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory, UserFactory, image_file
from tests.plan_rows import create_plans
from tests.security.crawl import World

PASSPHRASE = "open sesame 2026"


def premium(registry: Registry, buyer) -> Order:
    """A paid Premium order for ``registry``: every feature unlocked."""
    create_plans()
    return Order.objects.create(
        registry=registry,
        plan=Plan.objects.get(slug="premium"),
        created_by=buyer,
        amount=Decimal("39.00"),
        currency="USD",
        status=Order.Status.PAID,
        paid_at=timezone.now(),
    )


def seed(registry: Registry, owner, prefix: str) -> World:
    """One of everything on ``registry``; a World that fills URLs with them."""
    order = premium(registry, owner)
    item = ItemFactory(
        registry=registry, title=f"{prefix} teapot", price=Decimal("35.00"), quantity=2, image=image_file()
    )
    ItemFactory(registry=registry, title=f"{prefix} card", price=Decimal("50.00"), unlimited=True)
    group = ItemFactory(
        registry=registry, title=f"{prefix} bicycle", price=Decimal("400.00"), group_gift=True
    )
    reservation = ReservationFactory(
        item=item, guest_name=f"{prefix} guest", guest_email=f"{prefix}@guests.example"
    )
    pledge = AMOUNTS.take(group.pk, Decimal("40.00"), f"{prefix} giver", f"{prefix}.giver@guests.example")
    gift = OffRegistryGift.objects.create(
        registry=registry, guest_name=f"{prefix} aunt", description="A vase", message="Love!"
    )
    job = ImportJob.objects.create(registry=registry, created_by=owner, url="https://shop.example/p/1")
    return World(
        registry=registry,
        objects={
            "item": item,
            "reservation": reservation,
            "pledge": pledge,
            "gift": gift,
            "order": order,
            "import": job,
            "owner": owner,
            "partner": owner,
        },
        overrides={"reservations:pledge": {"pk": group}},  # contributions go to a group gift
        tokens={
            "reservations:manage": reservation.token,
            "reservations:pledge_manage": pledge.token,
            "notifications:unsubscribe": unsubscribe_token(reservation.guest_email),
        },
    )


@dataclass
class Site:
    """The seeded site: ``world`` is the first couple's, ``other_world`` the second's."""

    couple: object
    other_couple: object
    staff: object
    world: World
    other_world: World
    owner: Client
    other: Client
    guest: Client
    anonymous: Client
    staff_client: Client

    @property
    def registry(self) -> Registry:
        return self.world.registry

    def roles(self) -> dict[str, Client]:
        """Everyone who is not one of the first registry's owners."""
        return {
            "anonymous": self.anonymous,
            "another couple": self.other,
            "guest of another registry": self.guest,
        }


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def site(db) -> Site:
    couple = UserFactory(email="alex@example.com", name="Alex")
    other_couple = UserFactory(email="jo@example.com", name="Jo")
    staff = UserFactory(email="ops@whisper.example", name="Ops", is_staff=True)
    registry = RegistryFactory(slug="alex-and-sam", partner_one="Alex", partner_two="Sam", owners=[couple])
    other_registry = RegistryFactory(
        slug="jo-and-kim",
        partner_one="Jo",
        partner_two="Kim",
        owners=[other_couple],
        privacy=Registry.Privacy.PROTECTED,
    )
    other_registry.set_passphrase(PASSPHRASE)
    other_registry.save()
    world = seed(registry, couple, "alex")
    other_world = seed(other_registry, other_couple, "jo")

    # A guest of the other registry: unlocked it, holds a reservation's link there.
    guest = Client()
    guest.post(f"/r/{other_registry.slug}/passphrase/", {"passphrase": PASSPHRASE})
    assert guest.get(f"/r/{other_registry.slug}/").status_code == 200
    assert guest.get(other_world.objects["reservation"].get_manage_url()).status_code == 200

    return Site(
        couple=couple,
        other_couple=other_couple,
        staff=staff,
        world=world,
        other_world=other_world,
        owner=logged_in(couple),
        other=logged_in(other_couple),
        guest=guest,
        anonymous=Client(),
        staff_client=logged_in(staff),
    )


@pytest.fixture
def fixed_window(monkeypatch):
    """django-ratelimit's window never rolls over during a test (its counts only go up)."""
    monkeypatch.setattr(django_ratelimit.core, "_get_window", lambda value, period: 1_800_000_000)


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)
