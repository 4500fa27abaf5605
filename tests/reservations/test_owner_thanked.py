"""reservations:thanked — ticking off thank-you notes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.registries.models import Registry
from apps.reservations.models import Reservation
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reservation(items):
    return ReservationFactory(item=items[0], guest_name="Robin")


def _url(registry, reservation) -> str:
    return reverse("reservations:thanked", args=[registry.slug, reservation.pk])


def _thanked(reservation) -> bool:
    return Reservation.objects.get(pk=reservation.pk).thanked


def test_posting_toggles_thanked(owner_client, registry, reservation):
    response = owner_client.post(_url(registry, reservation))

    assert response.status_code == 302
    assert response["Location"] == reverse("registries:dashboard", args=[registry.slug]) + "#reservations"
    assert _thanked(reservation) is True

    page = owner_client.post(_url(registry, reservation), follow=True)

    assert _thanked(reservation) is False
    assert "Robin is back on your thank-you list" in page.content.decode()


def test_get_changes_nothing(owner_client, registry, reservation):
    response = owner_client.get(_url(registry, reservation))

    assert response.status_code == 405
    assert _thanked(reservation) is False


def test_a_reservation_of_another_registry_is_404(owner_client, registry, other_couple):
    elsewhere = RegistryFactory(slug="elsewhere", owners=[other_couple])
    foreign = ReservationFactory(item=ItemFactory(registry=elsewhere))

    response = owner_client.post(_url(registry, foreign))

    assert response.status_code == 404
    assert _thanked(foreign) is False


def test_a_cancelled_reservation_is_404(owner_client, registry, items):
    cancelled = ReservationFactory(item=items[0], cancelled_at=timezone.now())

    assert owner_client.post(_url(registry, cancelled)).status_code == 404
    assert _thanked(cancelled) is False


@pytest.mark.parametrize("spoilers", ["counts", "none"])
def test_refused_while_names_are_hidden(owner_client, registry, reservation, spoilers):
    Registry.objects.filter(pk=registry.pk).update(spoilers=spoilers)

    response = owner_client.post(_url(registry, reservation), follow=True)

    assert "Your spoiler setting keeps who gave what hidden" in response.content.decode()
    assert _thanked(reservation) is False
