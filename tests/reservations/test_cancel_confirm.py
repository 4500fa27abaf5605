"""Cancelling asks first, without JavaScript; after "mark as bought" it says the gift reopens (#17.1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.reservations import services
from tests.gifts import group_gift

pytestmark = pytest.mark.django_db


def test_cancel_my_reservation_asks_first_and_changes_nothing(client, reservation):
    page = client.get(reservation.get_manage_url()).content.decode()
    assert '<form class="inline-form" method="get"' in page  # the first button only asks

    asked = client.get(reservation.get_manage_url(), {"cancel": "1"})

    assert asked.status_code == 200
    html = asked.content.decode()
    assert "Cancel your reservation?" in html
    assert "The gift becomes available to other guests again." in html
    assert 'name="action" value="cancel"' in html
    assert "Keep my reservation" in html
    reservation.refresh_from_db()
    assert reservation.is_active


def test_saying_yes_cancels(client, reservation):
    client.get(reservation.get_manage_url(), {"cancel": "1"})
    done = client.post(reservation.get_manage_url(), {"action": "cancel"}, follow=True)

    assert "Your reservation is cancelled." in done.content.decode()
    reservation.refresh_from_db()
    assert not reservation.is_active


def test_after_mark_as_bought_it_says_the_gift_reopens_and_offers_undo_bought(client, reservation):
    services.UNITS.mark_bought(reservation.pk)

    page = client.get(reservation.get_manage_url()).content.decode()
    assert "It’s marked as bought: cancelling puts it back on the list for other guests." in page
    html = client.get(reservation.get_manage_url(), {"cancel": "1"}).content.decode()
    assert "You marked this gift as bought." in html
    assert "another guest may reserve and buy it too" in html
    assert html.count('name="action" value="not_bought"') == 2  # in the bought panel and in the question

    client.post(reservation.get_manage_url(), {"action": "not_bought"})
    reservation.refresh_from_db()
    assert (reservation.is_active, reservation.bought) == (True, False)


def test_a_pledge_asks_too(client, registry):
    bike = group_gift(registry, price="300.00", title="Tandem bike")
    pledge = services.AMOUNTS.take(bike.pk, Decimal("100"), "Robin", "robin@example.com")
    html = client.get(pledge.get_manage_url(), {"cancel": "1"}).content.decode()
    assert "Cancel your pledge?" in html
    assert "Yes, cancel my pledge" in html


def test_a_cancelled_reservation_asks_nothing(client, reservation):
    services.UNITS.cancel(reservation.pk)
    html = client.get(reservation.get_manage_url(), {"cancel": "1"}).content.decode()
    assert "Cancel your reservation?" not in html
    assert "You cancelled this reservation on" in html
