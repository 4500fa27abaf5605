"""Guests pledging toward the same group gift at once, on real PostgreSQL connections and threads."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Sum

from apps.items.models import Item
from apps.reservations import pledges
from apps.reservations.models import Pledge
from tests.factories import RegistryFactory
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
            connection.close()  # each thread has its own connection; give it back

    threads = [threading.Thread(target=run, args=(i, args)) for i, args in enumerate(args_list)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def _active_total(item: Item) -> Decimal:
    return Pledge.objects.active().filter(item=item).aggregate(total=Sum("amount"))["total"] or Decimal(0)


@pytest.mark.django_db(transaction=True)
def test_twenty_equal_pledges_at_once_stop_exactly_at_the_price():
    item = group_gift(RegistryFactory(), price="100.00")
    Item.objects.filter(pk=item.pk).update(cache_version=1)

    results = _race(
        pledges.pledge,
        [(item.pk, Decimal("7.50"), f"Guest {n}", f"guest{n}@example.com") for n in range(GUESTS)],
    )

    won = [r for r in results if isinstance(r, Pledge)]
    lost = [r for r in results if isinstance(r, pledges.NotEnoughLeft)]
    assert (len(won), len(lost)) == (13, GUESTS - 13), results  # 13 × 7.50 = 97.50; a 14th would pass 100
    item.refresh_from_db()
    assert item.pledged_total == Decimal("97.50") == _active_total(item)
    assert item.cache_version == 1 + 13  # only the winners touched the item
    assert all("only 2.50 USD left to contribute" in str(e) for e in lost)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.guest_email for p in won)


@pytest.mark.django_db(transaction=True)
def test_twenty_different_pledges_at_once_never_pass_the_price():
    item = group_gift(RegistryFactory(), price="150.00")
    amounts = [Decimal(5 + n) for n in range(GUESTS)]  # 5 … 24: 290 in all, far more than the price

    results = _race(pledges.pledge, [(item.pk, a, f"Guest {a}", f"g{a}@example.com") for a in amounts])

    won = [r for r in results if isinstance(r, Pledge)]
    assert all(isinstance(r, Pledge | pledges.NotEnoughLeft) for r in results), results
    item.refresh_from_db()
    assert item.pledged_total == sum(p.amount for p in won) == _active_total(item)
    assert item.pledged_total <= item.price
    # Every refused guest asked for more than was left when they were refused.
    assert item.price - item.pledged_total < max(amounts)


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_pledge_twice_at_once_gives_the_amount_back_once():
    item = group_gift(RegistryFactory(), price="100.00")
    pledge = pledges.pledge(item.pk, Decimal("60"), "Robin", "robin@example.com")
    pledges.pledge(item.pk, Decimal("15"), "Charlie", "charlie@example.com")
    mail.outbox.clear()

    results = _race(pledges.cancel_pledge, [(pledge.pk,)] * 6)

    assert (results.count(True), results.count(False)) == (1, 5), results
    item.refresh_from_db()
    assert item.pledged_total == Decimal("15.00")
    assert len(mail.outbox) == 1
