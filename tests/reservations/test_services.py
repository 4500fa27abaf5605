"""The claim lifecycle for reservations (``services.UNITS``): what it writes, refuses and mails."""

from __future__ import annotations

import pytest
from django.core import mail

from apps.core.emails import absolute
from apps.items.models import Item
from apps.registries.models import Registry
from apps.reservations import services
from apps.reservations.models import Reservation
from tests.factories import ItemFactory, ReservationFactory
from tests.reservations.conftest import link_paths


def _versions(item: Item) -> tuple[int, int]:
    item.refresh_from_db()
    return item.cache_version, Registry.objects.get(pk=item.registry_id).cache_version


# reserve -----------------------------------------------------------------
def test_reserve_writes_the_row_counts_the_units_and_mails_the_link(
    hammock, django_capture_on_commit_callbacks
):
    before = _versions(hammock)
    with django_capture_on_commit_callbacks(execute=True):
        reservation = services.UNITS.take(hammock.pk, 2, "Pat", "pat@example.com", "Enjoy!")
        assert mail.outbox == []  # nothing is mailed before the commit

    reservation.refresh_from_db()
    assert (reservation.item_id, reservation.quantity, reservation.guest_name) == (hammock.pk, 2, "Pat")
    assert reservation.message == "Enjoy!"
    hammock.refresh_from_db()
    assert hammock.reserved_count == 2
    assert _versions(hammock) == (before[0] + 1, before[1] + 1)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pat@example.com"]
    assert "Hammock" in message.subject
    assert reservation.get_manage_url() in link_paths(message)
    html = message.alternatives[0][0]
    assert f'href="{absolute(reservation.get_manage_url())}"' in html


def test_reserve_more_than_is_left_writes_nothing(hammock, django_capture_on_commit_callbacks):
    ReservationFactory(item=hammock)
    before = _versions(hammock)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.NotAvailable) as exc:
        services.UNITS.take(hammock.pk, 2, "Pat", "pat@example.com")
    assert (exc.value.code, exc.value.remaining) == ("not_enough_left", 1)
    hammock.refresh_from_db()
    assert hammock.reserved_count == 1
    assert Reservation.objects.count() == 1
    assert _versions(hammock) == before
    assert mail.outbox == []


def test_reserve_a_fully_reserved_item_is_refused(items):
    teapot = items[0]
    ReservationFactory(item=teapot)
    with pytest.raises(services.NotAvailable) as caught:
        services.UNITS.take(teapot.pk, 1, "Pat", "pat@example.com")
    assert caught.value.code == "not_available"
    assert Reservation.objects.filter(item=teapot).count() == 1


def test_reserve_a_hidden_item_is_refused(registry):
    hidden = ItemFactory(registry=registry, hidden=True, quantity=5)
    with pytest.raises(services.NotAvailable) as caught:
        services.UNITS.take(hidden.pk, 1, "Pat", "pat@example.com")
    assert caught.value.code == "not_available"
    hidden.refresh_from_db()
    assert hidden.reserved_count == 0
    assert not Reservation.objects.exists()


def test_reserve_a_missing_item_is_refused(db):
    with pytest.raises(services.NotAvailable):
        services.UNITS.take(987654, 1, "Pat", "pat@example.com")
    assert not Reservation.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1])
def test_reserve_needs_at_least_one(hammock, quantity):
    with pytest.raises(services.ClaimError) as caught:
        services.UNITS.take(hammock.pk, quantity, "Pat", "pat@example.com")
    assert caught.value.code == "invalid_quantity"
    hammock.refresh_from_db()
    assert hammock.reserved_count == 0
    assert not Reservation.objects.exists()


def test_unlimited_items_take_any_number_up_to_the_cap(items):
    gift_card = items[2]
    services.UNITS.take(gift_card.pk, services.MAX_UNLIMITED_PER_RESERVATION, "Pat", "pat@example.com")
    services.UNITS.take(gift_card.pk, 3, "Lou", "lou@example.com")
    with pytest.raises(services.ClaimError) as caught:
        services.UNITS.take(gift_card.pk, 21, "Max", "max@example.com")
    assert (caught.value.code, caught.value.params["cap"]) == ("over_cap", 20)
    gift_card.refresh_from_db()
    assert gift_card.reserved_count == 23
    assert Reservation.objects.filter(item=gift_card).count() == 2


# change_quantity ---------------------------------------------------------
def test_change_quantity_takes_and_gives_back_the_difference(
    reservation, hammock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.UNITS.change(reservation.pk, 2)
    hammock.refresh_from_db()
    reservation.refresh_from_db()
    assert (reservation.quantity, hammock.reserved_count) == (2, 2)
    assert [m.subject for m in mail.outbox] == ["Your reservation of “Hammock” was updated"]
    assert "2 × “Hammock”" in mail.outbox[0].body

    before = _versions(hammock)
    services.UNITS.change(reservation.pk, 1)
    hammock.refresh_from_db()
    reservation.refresh_from_db()
    assert (reservation.quantity, hammock.reserved_count) == (1, 1)
    assert _versions(hammock) == (before[0] + 1, before[1] + 1)


def test_change_quantity_above_what_is_left_changes_nothing(reservation, hammock):
    ReservationFactory(item=hammock)  # the second hammock goes to someone else
    with pytest.raises(services.NotAvailable) as caught:
        services.UNITS.change(reservation.pk, 2)
    assert (caught.value.code, caught.value.params["most"]) == ("not_available", "1")
    hammock.refresh_from_db()
    reservation.refresh_from_db()
    assert (reservation.quantity, hammock.reserved_count) == (1, 2)


def test_change_quantity_to_zero_is_refused(reservation, hammock):
    with pytest.raises(services.ClaimError) as caught:
        services.UNITS.change(reservation.pk, 0)
    assert caught.value.code == "invalid_quantity"
    reservation.refresh_from_db()
    assert reservation.quantity == 1


def test_a_cancelled_reservation_cannot_change(reservation, hammock):
    services.UNITS.cancel(reservation.pk)
    with pytest.raises(services.Cancelled):
        services.UNITS.change(reservation.pk, 2)
    with pytest.raises(services.Cancelled):
        services.UNITS.mark_bought(reservation.pk)
    hammock.refresh_from_db()
    reservation.refresh_from_db()
    assert (reservation.quantity, reservation.bought_at, hammock.reserved_count) == (1, None, 0)


# mark_bought -------------------------------------------------------------
def test_mark_bought_and_back(reservation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.UNITS.mark_bought(reservation.pk)
    reservation.refresh_from_db()
    assert reservation.bought_at is not None
    assert "bought, thank you" in mail.outbox[-1].body

    with django_capture_on_commit_callbacks(execute=True):
        services.UNITS.mark_bought(reservation.pk)  # already bought: no change, no mail
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.UNITS.mark_bought(reservation.pk, bought=False)
    reservation.refresh_from_db()
    assert reservation.bought_at is None
    assert len(mail.outbox) == 2
    assert "not bought yet" in mail.outbox[-1].body


# cancel ------------------------------------------------------------------
def test_cancel_gives_the_units_back_once(reservation, hammock, django_capture_on_commit_callbacks):
    ReservationFactory(item=hammock)
    before = _versions(hammock)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.UNITS.cancel(reservation.pk) is True
        assert services.UNITS.cancel(reservation.pk) is False
    reservation.refresh_from_db()
    hammock.refresh_from_db()
    assert reservation.cancelled_at is not None
    assert hammock.reserved_count == 1
    assert _versions(hammock) == (before[0] + 1, before[1] + 1)
    assert [m.subject for m in mail.outbox] == ["You cancelled your reservation of “Hammock”"]
    assert "available to other guests again" in mail.outbox[0].body


def test_mail_text_is_not_html_escaped(hammock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.UNITS.take(hammock.pk, 1, "Pat & <Lou>", "pat@example.com")
    assert "Hi Pat & <Lou>," in mail.outbox[0].body
    assert "Hi Pat &amp; &lt;Lou&gt;," in mail.outbox[0].alternatives[0][0]
