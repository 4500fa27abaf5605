"""items:delete — a confirmation page, then the gift is gone."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.items.models import Item
from apps.registries.models import Registry
from apps.reservations.models import Reservation
from tests.factories import ReservationFactory

pytestmark = pytest.mark.django_db


def _url(item) -> str:
    return reverse("items:delete", args=[item.registry.slug, item.pk])


def test_get_asks_for_confirmation_and_deletes_nothing(owner_client, items):
    response = owner_client.get(_url(items[0]))

    assert response.status_code == 200
    assert "Delete “Teapot”?" in response.content.decode()
    assert "Nobody has reserved it yet" in response.content.decode()
    assert Item.objects.filter(pk=items[0].pk).exists()


def test_the_confirmation_warns_about_reservations(owner_client, items):
    ReservationFactory(item=items[1], quantity=1)
    ReservationFactory(item=items[1], quantity=1)

    html = owner_client.get(_url(items[1])).content.decode()

    assert "2 guests have reserved this gift (2 in all)" in html
    assert "hide it instead" in html


def test_the_warning_keeps_the_surprise_when_spoilers_are_hidden(owner_client, registry, items):
    Registry.objects.filter(pk=registry.pk).update(
        spoilers="none", event_date=timezone.localdate() + datetime.timedelta(days=30)
    )

    html = owner_client.get(_url(items[1])).content.decode()

    assert "Guests may already have reserved this gift" in html
    assert "Nobody has reserved it yet" not in html


def test_post_deletes_the_item_and_cancels_its_reservations(owner_client, registry, items):
    reservation = ReservationFactory(item=items[0])

    response = owner_client.post(_url(items[0]), follow=True)

    assert response.redirect_chain == [(reverse("registries:dashboard", args=[registry.slug]), 302)]
    assert "Deleted “Teapot”." in response.content.decode()
    assert not Item.objects.filter(pk=items[0].pk).exists()
    # The reservation stays, cancelled and marked removed, so the guest's link can say what happened.
    kept = Reservation.objects.get(pk=reservation.pk)
    assert kept.item is None and kept.item_title == "Teapot" and kept.registry == registry
    assert kept.cancelled_at is not None and kept.removed_at is not None
    assert Item.objects.filter(registry=registry).count() == 2
    assert Registry.objects.get(pk=registry.pk).cache_version == registry.cache_version + 1


def test_another_couple_cannot_delete(other_client, items):
    assert other_client.get(_url(items[0])).status_code == 404
    assert other_client.post(_url(items[0])).status_code == 404
    assert Item.objects.filter(pk=items[0].pk).exists()
