"""Every owner URL of a registry: only its owners get in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.registries.models import Registry
from tests.factories import ReservationFactory

pytestmark = pytest.mark.django_db

# (url name, needs a reservation pk, method)
OWNER_URLS = [
    ("registries:dashboard", False, "get"),
    ("registries:edit", False, "get"),
    ("registries:edit", False, "post"),
    ("reservations:export", False, "get"),
    ("reservations:thanked", True, "post"),
]


def _url(name: str, registry, reservation) -> str:
    args = [registry.slug, reservation.pk] if name == "reservations:thanked" else [registry.slug]
    return reverse(name, args=args)


@pytest.fixture
def reservation(items):
    return ReservationFactory(item=items[0], guest_name="Robin")


@pytest.mark.parametrize(("name", "_needs_pk", "method"), OWNER_URLS)
def test_another_couple_gets_404(other_client, registry, reservation, name, _needs_pk, method):
    before = Registry.objects.values().get(pk=registry.pk)

    response = getattr(other_client, method)(_url(name, registry, reservation), {"location": "Hacked"})

    assert response.status_code == 404
    assert Registry.objects.values().get(pk=registry.pk) == before
    reservation.refresh_from_db()
    assert reservation.thanked is False


@pytest.mark.parametrize(("name", "_needs_pk", "method"), OWNER_URLS)
def test_anonymous_visitors_are_sent_to_log_in(client, registry, reservation, name, _needs_pk, method):
    response = getattr(client, method)(_url(name, registry, reservation))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_an_unknown_registry_is_404_for_its_would_be_owner(owner_client):
    assert owner_client.get(reverse("registries:dashboard", args=["no-such-registry"])).status_code == 404


def test_the_second_partner_gets_in(other_client, other_couple, registry):
    registry.owners.add(other_couple)

    assert other_client.get(reverse("registries:dashboard", args=[registry.slug])).status_code == 200
