"""Guests racing for the last units, on real PostgreSQL connections and real threads."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection

from apps.items.models import Item
from apps.reservations import services
from apps.reservations.models import Reservation
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory

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
        services.reserve, [(item.pk, 1, f"Guest {n}", f"guest{n}@example.com") for n in range(GUESTS)]
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

    results = _race(services.cancel, [(reservation.pk,)] * 6)

    assert (results.count(True), results.count(False)) == (1, 5), results
    item.refresh_from_db()
    assert item.reserved_count == 1
    assert len(mail.outbox) == 1
