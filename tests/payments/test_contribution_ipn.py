"""Issue 15: PayPal IPNs for guests' contributions, paid straight to the couple's own PayPal account.

Driven as PayPal drives them, against the loopback PayPal stand-in: only a
verified IPN naming that registry's couple as receiver, with the amount and
currency the guest chose and a new transaction, marks a contribution paid.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from paypal.standard.ipn.models import PayPalIPN

from apps.items.models import Item
from apps.payments.models import IpnDecision
from apps.registries.models import Registry
from apps.reservations import funds
from apps.reservations.models import Pledge
from apps.reservations.services import AMOUNTS
from tests.factories import ItemFactory
from tests.payments.conftest import ipn_body, post_ipn

pytestmark = pytest.mark.django_db

COUPLE = "alex.sam@couple.example"
TXN = "7TX12345AB6789012"


@pytest.fixture
def honeymoon(registry) -> Item:
    Registry.objects.filter(pk=registry.pk).update(contributions_via="paypal", paypal_email=COUPLE)
    return ItemFactory(
        registry=registry,
        title="Honeymoon in Lisbon",
        kind="fund",
        group_gift=True,
        price=Decimal("2000"),
        currency="EUR",
    )


@pytest.fixture
def pledge(honeymoon) -> Pledge:
    return AMOUNTS.take(honeymoon.pk, Decimal("75.00"), "Robin", "robin@example.com", "Enjoy!")


def _paid(pledge: Pledge, **changes) -> str:
    fields = {
        "receiver_email": COUPLE,
        "business": COUPLE,
        "invoice": pledge.invoice,
        "custom": pledge.invoice,
        "mc_gross": "75.00",
        "mc_currency": "EUR",
        "txn_id": TXN,
        "payment_gross": "",
        "item_name": "Honeymoon in Lisbon",
    }
    fields.update(changes)
    return ipn_body("completed", **fields)


def _refund(pledge: Pledge, **changes) -> str:
    fields = {
        "receiver_email": COUPLE,
        "business": COUPLE,
        "invoice": pledge.invoice,
        "mc_gross": "-75.00",
        "mc_currency": "EUR",
        "txn_id": "9REFUND0000000001",
        "parent_txn_id": TXN,
        "payment_gross": "",
    }
    fields.update(changes)
    return ipn_body("refunded", **fields)


def _total(item: Item) -> Decimal:
    return Item.objects.get(pk=item.pk).pledged_total


def test_a_guest_contribution_goes_to_paypal_with_the_couples_address(client, pledge, honeymoon):
    html = client.get(pledge.get_manage_url()).content.decode()

    assert pledge.status == "awaiting" and pledge.invoice.startswith("WSG-")
    assert f'name="business" type="hidden" value="{COUPLE}"' in html or f'value="{COUPLE}"' in html
    assert 'value="payments@whisper.example"' not in html  # never Whisper's own account
    assert f'value="{pledge.invoice}"' in html
    assert "http://testserver/paypal/ipn/" in html or "/paypal/ipn/" in html
    assert 'name="amount"' in html and 'value="75.00"' in html and 'value="EUR"' in html
    assert "Pay €75.00 with PayPal" in html
    # The mail says so too, and never shows the couple's own instructions for another way.
    assert "You pay it on PayPal, straight to their own PayPal account" in mail.outbox[-1].body


def test_a_verified_ipn_for_the_couple_marks_it_paid(client, paypal, pledge, honeymoon):
    response = post_ipn(client, _paid(pledge))

    assert response.status_code == 200
    pledge.refresh_from_db()
    assert (pledge.status, pledge.txn_id) == ("paid", TXN)
    assert _total(honeymoon) == Decimal("75.00")  # held while waiting, still counted
    decision = IpnDecision.objects.get()
    assert (decision.outcome, decision.pledge_id) == ("applied", pledge.pk)
    assert "Paid 75.00 EUR to the couple" in decision.reason
    # The guest sees it paid, and can no longer cancel it.
    html = Client().get(pledge.get_manage_url()).content.decode()
    assert "Paid by PayPal" in html and "Cancel my pledge" not in html


def test_an_invalid_postback_marks_nothing_paid(client, paypal, pledge):
    paypal.answer = "INVALID"
    post_ipn(client, _paid(pledge))

    pledge.refresh_from_db()
    assert pledge.status == "awaiting"
    assert IpnDecision.objects.get().outcome == "rejected"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"receiver_email": "other.couple@example.com", "business": "other.couple@example.com"},
            "is not this couple's PayPal account",
        ),
        (
            {"receiver_email": "payments@whisper.example", "business": "payments@whisper.example"},
            "is Whisper's own account",
        ),
        ({"mc_gross": "7.50"}, "Amount 7.50 does not match the contribution's 75.00"),
        ({"mc_currency": "USD"}, "Currency 'USD' does not match the contribution's EUR"),
    ],
)
def test_a_wrong_ipn_marks_nothing_paid(client, paypal, pledge, honeymoon, changes, reason):
    response = post_ipn(client, _paid(pledge, **changes))

    assert response.status_code == 200
    pledge.refresh_from_db()
    assert (pledge.status, pledge.txn_id) == ("awaiting", "")
    decision = IpnDecision.objects.get()
    assert decision.outcome == "rejected"
    assert reason in decision.reason


def test_another_couples_ipn_never_pays_this_contribution(client, paypal, pledge, registry, other_couple):
    """A second registry whose couple uses PayPal too: their receiver on our invoice is refused."""
    from tests.factories import RegistryFactory

    RegistryFactory(
        slug="other", owners=[other_couple], contributions_via="paypal", paypal_email="b@c.example"
    )
    post_ipn(client, _paid(pledge, receiver_email="b@c.example", business="b@c.example"))

    pledge.refresh_from_db()
    assert pledge.status == "awaiting"


def test_a_repeated_txn_id_pays_once(client, paypal, honeymoon, pledge):
    other = AMOUNTS.take(honeymoon.pk, Decimal("75.00"), "Charlie", "c@example.com")
    post_ipn(client, _paid(pledge))
    post_ipn(client, _paid(pledge))
    post_ipn(client, _paid(other))  # the same transaction named for another contribution

    pledge.refresh_from_db()
    other.refresh_from_db()
    assert pledge.status == "paid"
    assert (other.status, other.txn_id) == ("awaiting", "")
    outcomes = list(IpnDecision.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["applied", "rejected", "rejected"]


def test_a_refund_takes_it_back(client, paypal, pledge, honeymoon):
    post_ipn(client, _paid(pledge))
    assert _total(honeymoon) == Decimal("75.00")

    post_ipn(client, _refund(pledge))

    pledge.refresh_from_db()
    assert pledge.status == "refunded" and not pledge.is_active
    assert _total(honeymoon) == Decimal("0.00")
    assert "Refunded" in IpnDecision.objects.latest("id").reason


def test_a_released_contribution_paid_late_counts_again_if_there_is_room(
    client, paypal, pledge, honeymoon, settings
):
    settings.WHISPER_PAYPAL_HOLD_HOURS = 0
    assert funds.release_unpaid() == 1
    assert funds.release_unpaid() == 0  # nothing left hanging, nothing released twice
    assert _total(honeymoon) == Decimal("0.00")
    assert (
        "was released because PayPal did not confirm"
        in Client().get(pledge.get_manage_url()).content.decode()
    )

    post_ipn(client, _paid(pledge))

    pledge.refresh_from_db()
    assert pledge.status == "paid" and pledge.is_active
    assert _total(honeymoon) == Decimal("75.00")


@pytest.mark.django_db(transaction=True)
def test_two_ipns_at_once_apply_once(paypal, couple, plans):
    """Two deliveries of the same IPN, verified at the same moment: one applies, one is refused."""
    from tests.factories import RegistryFactory

    registry = RegistryFactory(owners=[couple], contributions_via="paypal", paypal_email=COUPLE)
    fund = ItemFactory(registry=registry, kind="fund", group_gift=True, price=None, currency="EUR")
    pledge = AMOUNTS.take(fund.pk, Decimal("75.00"), "Robin", "robin@example.com")
    body = _paid(pledge)
    paypal.barrier = threading.Barrier(2)
    statuses: list[int] = []

    def deliver() -> None:
        try:
            statuses.append(post_ipn(Client(), body).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert statuses == [200, 200]
    assert PayPalIPN.objects.count() == 2
    outcomes = sorted(IpnDecision.objects.values_list("outcome", flat=True))
    assert outcomes == ["applied", "rejected"]
    assert Item.objects.get(pk=fund.pk).pledged_total == Decimal("75.00")
    assert Pledge.objects.get(pk=pledge.pk).status == "paid"


def test_the_paypal_address_may_not_be_whispers_own(owner_client, registry):
    url = reverse("registries:edit", args=[registry.slug])
    data = {
        "partner_one": "Alex",
        "partner_two": "Sam",
        "event_date": registry.event_date.isoformat(),
        "slug": registry.slug,
        "privacy": "unlisted",
        "spoilers": "all",
        "contributions_via": "paypal",
        "paypal_email": "payments@whisper.example",
    }
    response = owner_client.post(url, data)

    assert response.status_code == 200
    assert "own PayPal address: give your own, so the money goes straight to you" in response.content.decode()
    assert Registry.objects.get(pk=registry.pk).paypal_email == ""
