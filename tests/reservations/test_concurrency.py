"""Guests racing for the last units or the rest of a group gift's price, on real connections and threads."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Sum

from apps.items.models import Item
from apps.reservations import services
from apps.reservations.models import Pledge, Reservation
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory
from tests.gifts import group_gift

GUESTS = 20


def _race(target, args_list: list[tuple]) -> list[object]:
    """Run ``target(*args)`` in one thread per args, all released at once; return results or errors."""
    barrier = threading.Barrier(len(args_list))
    results: list[object] = [None] * len(args_list)

    def run(index: int, args: tuple) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = target(*args)
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, args)) for i, args in enumerate(args_list)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_twenty_guests_three_units_exactly_three_reservations():
    item = ItemFactory(registry=RegistryFactory(), quantity=5)
    ReservationFactory.create_batch(2, item=item)  # 3 of 5 remain
    Item.objects.filter(pk=item.pk).update(cache_version=1)

    results = _race(
        services.UNITS.take, [(item.pk, 1, f"Guest {n}", f"guest{n}@example.com") for n in range(GUESTS)]
    )

    won = [r for r in results if isinstance(r, Reservation)]
    lost = [r for r in results if isinstance(r, services.NotAvailable)]
    assert (len(won), len(lost)) == (3, GUESTS - 3), results
    item.refresh_from_db()
    assert item.reserved_count == item.quantity == 5
    assert Reservation.objects.filter(item=item, cancelled_at__isnull=True).count() == 5
    assert Reservation.objects.filter(guest_name__startswith="Guest ").count() == 3
    assert item.cache_version == 1 + 3  # only the winners touched the item
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.guest_email for r in won)


@pytest.mark.django_db(transaction=True)
def test_cancelling_twice_at_once_gives_the_units_back_once():
    item = ItemFactory(registry=RegistryFactory(), quantity=4)
    reservation = ReservationFactory(item=item, quantity=3)
    ReservationFactory(item=item, quantity=1)

    results = _race(services.UNITS.cancel, [(reservation.pk,)] * 6)

    assert (results.count(True), results.count(False)) == (1, 5), results
    item.refresh_from_db()
    assert item.reserved_count == 1
    assert len(mail.outbox) == 1


def _active_total(item: Item) -> Decimal:
    return Pledge.objects.active().filter(item=item).aggregate(total=Sum("amount"))["total"] or Decimal(0)


@pytest.mark.django_db(transaction=True)
def test_twenty_equal_pledges_at_once_stop_exactly_at_the_price():
    item = group_gift(RegistryFactory(), price="100.00")
    Item.objects.filter(pk=item.pk).update(cache_version=1)

    results = _race(
        services.AMOUNTS.take,
        [(item.pk, Decimal("7.50"), f"Guest {n}", f"guest{n}@example.com") for n in range(GUESTS)],
    )

    won = [r for r in results if isinstance(r, Pledge)]
    lost = [r for r in results if isinstance(r, services.NotAvailable)]
    assert (len(won), len(lost)) == (13, GUESTS - 13), results  # 13 × 7.50 = 97.50; a 14th would pass 100
    item.refresh_from_db()
    assert item.pledged_total == Decimal("97.50") == _active_total(item)
    assert item.cache_version == 1 + 13  # only the winners touched the item
    assert all((e.code, e.params["left"]) == ("not_enough_left", "$2.50") for e in lost)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.guest_email for p in won)


@pytest.mark.django_db(transaction=True)
def test_twenty_different_pledges_at_once_never_pass_the_price():
    item = group_gift(RegistryFactory(), price="150.00")
    amounts = [Decimal(5 + n) for n in range(GUESTS)]  # 5 … 24: 290 in all, far more than the price

    results = _race(services.AMOUNTS.take, [(item.pk, a, f"Guest {a}", f"g{a}@example.com") for a in amounts])

    won = [r for r in results if isinstance(r, Pledge)]
    assert all(isinstance(r, Pledge | services.NotAvailable) for r in results), results
    item.refresh_from_db()
    assert item.pledged_total == sum(p.amount for p in won) == _active_total(item)
    assert item.pledged_total <= item.price
    # Every refused guest asked for more than was left when they were refused.
    assert item.price - item.pledged_total < max(amounts)


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_pledge_twice_at_once_gives_the_amount_back_once():
    item = group_gift(RegistryFactory(), price="100.00")
    pledge = services.AMOUNTS.take(item.pk, Decimal("60"), "Robin", "robin@example.com")
    services.AMOUNTS.take(item.pk, Decimal("15"), "Charlie", "charlie@example.com")
    mail.outbox.clear()

    results = _race(services.AMOUNTS.cancel, [(pledge.pk,)] * 6)

    assert (results.count(True), results.count(False)) == (1, 5), results
    item.refresh_from_db()
    assert item.pledged_total == Decimal("15.00")
    assert len(mail.outbox) == 1
