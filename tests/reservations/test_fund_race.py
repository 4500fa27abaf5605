"""Issue 15: 20 guests giving to a fund at once, on real PostgreSQL, never corrupt its total
nor go past its target; a fund without a target takes them all."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from apps.items.models import Item
from apps.reservations.models import Pledge
from apps.reservations.services import AMOUNTS, NotAvailable
from tests.factories import ItemFactory, RegistryFactory

GUESTS = 20


def _give_all(fund: Item, amount: Decimal) -> tuple[int, int]:
    barrier = threading.Barrier(GUESTS)
    taken, refused = [], []

    def give(n: int) -> None:
        try:
            barrier.wait(timeout=20)
            AMOUNTS.take(fund.pk, amount, f"Guest {n}", f"guest{n}@example.com")
            taken.append(n)
        except NotAvailable:
            refused.append(n)
        finally:
            connection.close()

    threads = [threading.Thread(target=give, args=(n,)) for n in range(GUESTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return len(taken), len(refused)


@pytest.mark.django_db(transaction=True)
def test_twenty_guests_at_once_never_pass_the_target(couple):
    registry = RegistryFactory(owners=[couple])
    fund = ItemFactory(registry=registry, kind="fund", group_gift=True, price=Decimal("500"), currency="EUR")

    taken, refused = _give_all(fund, Decimal("40.00"))

    fund.refresh_from_db()
    assert (taken, refused) == (12, 8)  # 12 × 40 = 480; a 13th would pass 500
    assert fund.pledged_total == Decimal("480.00")
    assert fund.pledged_total == sum(p.amount for p in Pledge.objects.active().filter(item=fund))


@pytest.mark.django_db(transaction=True)
def test_a_fund_without_a_target_takes_them_all(couple):
    registry = RegistryFactory(owners=[couple])
    fund = ItemFactory(registry=registry, kind="fund", group_gift=True, price=None, currency="EUR")

    taken, refused = _give_all(fund, Decimal("33.33"))

    fund.refresh_from_db()
    assert (taken, refused) == (GUESTS, 0)
    assert fund.pledged_total == Decimal("33.33") * GUESTS
    assert Pledge.objects.filter(item=fund).count() == GUESTS
