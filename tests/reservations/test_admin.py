"""Reservations in the Django admin: list, filter, search; counts read-only; cancel as an action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.reservations.models import Reservation
from tests.factories import ReservationFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(email="ops@example.com", is_staff=True, is_superuser=True))
    return client


def test_list_search_and_filters(admin_client, reservation, items):
    ReservationFactory(item=items[0], guest_name="Robin", guest_email="robin@example.com")
    url = reverse("admin:reservations_reservation_changelist")

    content = admin_client.get(url).content.decode()
    assert "Pat" in content and "Robin" in content

    content = admin_client.get(url, {"q": "robin@"}).content.decode()
    assert "Robin" in content and "pat@example.com" not in content

    Reservation.objects.filter(pk=reservation.pk).update(thanked=True)
    content = admin_client.get(url, {"thanked__exact": "1"}).content.decode()
    assert "pat@example.com" in content and "robin@example.com" not in content


def test_quantity_and_state_are_read_only(admin_client, reservation, hammock):
    url = reverse("admin:reservations_reservation_change", args=[reservation.pk])
    content = admin_client.get(url).content.decode()
    assert 'name="quantity"' not in content
    assert 'name="guest_name"' in content

    admin_client.post(
        url,
        {"guest_name": "Pat B.", "guest_email": "pat@example.com", "message": "", "quantity": 2},
    )
    reservation.refresh_from_db()
    hammock.refresh_from_db()
    assert (reservation.guest_name, reservation.quantity, hammock.reserved_count) == ("Pat B.", 1, 1)


def test_no_adding_or_deleting(admin_client, reservation):
    assert admin_client.get(reverse("admin:reservations_reservation_add")).status_code == 403
    url = reverse("admin:reservations_reservation_delete", args=[reservation.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Reservation.objects.filter(pk=reservation.pk).exists()


def test_cancel_action_gives_the_units_back(admin_client, reservation, hammock):
    response = admin_client.post(
        reverse("admin:reservations_reservation_changelist"),
        {"action": "cancel_claims", "_selected_action": [reservation.pk]},
        follow=True,
    )
    assert "Cancelled 1 reservation(s)." in response.content.decode()
    reservation.refresh_from_db()
    hammock.refresh_from_db()
    assert reservation.cancelled_at is not None
    assert hammock.reserved_count == 0
