"""Invariants of reservations, pledges, gift edits and refunds, under any sequence of steps (hypothesis).

A rule-based state machine drives the real services on the test database —
take, change, cancel a claim of every kind (reservations of units, pledges of
amounts) through the one lifecycle (``apps.reservations.services``); the couple editing a
gift's quantity (``apps.items.services.update_item``) or what they received
elsewhere, hiding it; an upgrade paid and refunded through PayPal IPNs
(``apps.payments.services.handle_ipn``) — and keeps a plain model of what each
step should do. Every step must succeed exactly when the model says it can,
and after every step:

- each gift's reserved units are the sum of its active reservations, and
  never more than it wants (less what came from elsewhere) unless unlimited;
- the group gift's pledged total is the sum of its active pledges, never
  more than its price;
- the couple's dashboard shows those same counts (and the plan they are on).
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import partial

import pytest
from django.conf import settings
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from paypal.standard.ipn.models import PayPalIPN

from apps.items import services as items
from apps.items.models import Item
from apps.payments import limits
from apps.payments import services as payments
from apps.payments.models import IpnDecision, Order, Plan
from apps.registries.models import Registry
from apps.reservations import services
from apps.reservations.models import Pledge, Reservation
from apps.reservations.services import AMOUNTS, UNITS, ClaimKind, Value
from tests.factories import ItemFactory, RegistryFactory, UserFactory
from tests.plan_rows import create_plans
from tests.reliability.conftest import report_figures

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(900)]

CAP = services.MAX_UNLIMITED_PER_RESERVATION
PRICE = Decimal("100.00")
UNITS_RESERVED = re.compile(r"<dt>Units reserved</dt><dd>(\d+)</dd>")
BOUGHT_OF = re.compile(r'<dt>Bought</dt><dd>(\d+) <small class="muted">of (\d+)</small>')
PLAN = re.compile(r"This registry is on <strong>([^<]+)</strong>")
amounts = st.decimals(min_value=Decimal("-5"), max_value=Decimal("130"), places=2, allow_nan=False)


class Tally:
    """How many steps were tried, and how many the services refused (as the model expected)."""

    def __init__(self) -> None:
        self.steps = self.refused = self.examples = 0


TALLY = Tally()


class RegistryMachine(RuleBasedStateMachine):
    """One registry per example: three gifts of units, one group gift, its couple, their plan."""

    claims = Bundle("claims")  # (kind, id) of every claim taken, of every kind

    def __init__(self) -> None:
        super().__init__()
        TALLY.examples += 1
        self.couple = UserFactory()
        self.registry = RegistryFactory(owners=[self.couple], spoilers=Registry.Spoilers.ALL)
        self.units = [
            ItemFactory(registry=self.registry, title="Teapot", quantity=3),
            ItemFactory(registry=self.registry, title="Hammock", quantity=5),
            ItemFactory(registry=self.registry, title="Gift card", unlimited=True),
        ]
        self.group = ItemFactory(registry=self.registry, title="Bicycle", price=PRICE, group_gift=True)
        self.client = Client()
        self.client.force_login(self.couple)
        # The model: what each row should hold.
        self.gift = {item.pk: {"quantity": item.quantity, "unlimited": item.unlimited} for item in self.units}
        for pk in self.gift:
            self.gift[pk].update(received=0, hidden=False)
        self.held: dict[tuple[ClaimKind, int], tuple[int, Value]] = {}  # active claim → (gift, value)
        self.paid_order: Order | None = None
        self.guests = 0

    # Helpers ---------------------------------------------------------------
    def _guest(self) -> str:
        self.guests += 1
        return f"guest{self.guests}-{self.registry.pk}@example.com"

    def _sum(self, kind: ClaimKind, pk: int) -> Value:
        return sum((value for (k, _), (gift, value) in self.held.items() if k is kind and gift == pk), 0)

    def _reserved(self, pk: int) -> int:
        return self._sum(UNITS, pk)

    def _pledged(self) -> Decimal:
        return Decimal(self._sum(AMOUNTS, self.group.pk))

    def _room(self, pk: int) -> int | None:
        gift = self.gift[pk]
        return None if gift["unlimited"] else gift["quantity"] - gift["received"] - self._reserved(pk)

    def _can(self, kind: ClaimKind, pk: int, value: Value, holding: Value = 0) -> bool:
        """Whether the model lets a claim of ``kind`` on gift ``pk`` hold ``value`` instead of ``holding``."""
        if kind is AMOUNTS:
            return value > 0 and self._pledged() - holding + value <= PRICE
        room, more = self._room(pk), value - holding
        # Giving units back is always fine; taking more needs room, and a visible gift.
        can = value >= 1 and (more <= 0 or not self.gift[pk]["hidden"])
        return can and (value <= CAP if room is None else more <= room)

    def _step(self, refused: bool) -> None:
        TALLY.steps += 1
        TALLY.refused += refused

    def _attempt(self, can: bool, what: str, call, refusals=(services.ClaimError,)) -> tuple[bool, object]:
        """Run ``call``: it must succeed exactly when the model says it ``can``; (succeeded, its result)."""
        try:
            result = call()
        except refusals:
            self._step(refused=True)
            assert not can, f"refused, though the model allows it: {what}"
            return False, None
        self._step(refused=False)
        assert can, f"done, though the model forbids it: {what}"
        return True, result

    # Claims of every kind, through the one lifecycle ---------------------------
    def _take(self, kind: ClaimKind, pk: int, value: Value):
        can = self._can(kind, pk, value)
        call = partial(kind.take, pk, value, "Robin", self._guest())
        done, claim = self._attempt(can, f"{kind.mail} {value} of gift {pk}", call)
        if not done:
            return multiple()
        self.held[kind, claim.pk] = (pk, value)
        return kind, claim.pk

    @rule(target=claims, index=st.integers(0, 2), quantity=st.integers(-1, 7))
    def reserve(self, index, quantity):
        return self._take(UNITS, self.units[index].pk, quantity)

    @rule(target=claims, amount=amounts)
    def pledge(self, amount):
        return self._take(AMOUNTS, self.group.pk, amount)

    @rule(claim=claims, quantity=st.integers(-1, 7), amount=amounts)
    def change(self, claim, quantity, amount):
        kind, pk = claim
        value = amount if kind is AMOUNTS else quantity
        # A cancelled claim is refused (for its value, or as cancelled).
        gift, holding = self.held.get(claim, (None, 0))
        can = claim in self.held and self._can(kind, gift, value, holding)
        if self._attempt(can, f"change {claim} to {value}", partial(kind.change, pk, value))[0]:
            self.held[claim] = (gift, value)

    @rule(claim=claims)
    def cancel(self, claim):
        kind, pk = claim
        cancelled = kind.cancel(pk)
        self._step(refused=not cancelled)
        assert cancelled == (claim in self.held)
        self.held.pop(claim, None)

    # The couple ----------------------------------------------------------------
    def _item(self, index: int) -> tuple[Item, dict]:
        """A gift of units as the couple's form loads it, and its model."""
        item = Item.objects.select_related("registry").get(pk=self.units[index].pk)
        return item, self.gift[item.pk]

    @rule(index=st.integers(0, 2), quantity=st.integers(1, 9), unlimited=st.booleans())
    def edit_quantity(self, index, quantity, unlimited):
        item, gift = self._item(index)
        item.quantity, item.unlimited = quantity, unlimited
        reserved = self._reserved(item.pk)
        can = unlimited or quantity >= reserved + gift["received"]
        what = f"quantity {quantity} (unlimited: {unlimited}) with {reserved} reserved"
        if self._attempt(can, what, partial(items.update_item, item), items.QuantityBelowReserved)[0]:
            gift.update(quantity=quantity, unlimited=unlimited)

    @rule(index=st.integers(0, 2), received=st.integers(-1, 4))
    def receive_elsewhere(self, index, received):
        item, gift = self._item(index)
        can = received >= 0 and not gift["unlimited"]
        can = can and self._reserved(item.pk) <= gift["quantity"] - received
        call = partial(items.set_received_elsewhere, item, received)
        if self._attempt(can, f"{received} received elsewhere", call, items.ReceivedTooMany)[0]:
            gift["received"] = received

    @rule(index=st.integers(0, 2))
    def hide_or_show(self, index):
        item, gift = self._item(index)
        items.set_hidden(item, not gift["hidden"])
        self._step(refused=False)
        gift["hidden"] = not gift["hidden"]

    # Paying and refunding --------------------------------------------------------
    def _ipn(self, order: Order, status: str, txn_id: str, **fields) -> IpnDecision:
        ipn = PayPalIPN.objects.create(
            receiver_email=settings.PAYPAL_RECEIVER_EMAIL,
            payment_status=status,
            invoice=order.invoice,
            txn_id=txn_id,
            mc_currency=order.currency,
            response="VERIFIED",
            test_ipn=True,
            **fields,
        )
        return payments.handle_ipn(ipn)

    @precondition(lambda self: self.paid_order is None)
    @rule()
    def pay(self):
        order = payments.open_order(self.registry, Plan.objects.get(slug="premium"), self.couple)
        decision = self._ipn(order, "Completed", f"PAY{order.pk:014d}", mc_gross=order.amount)
        self._step(refused=False)
        assert decision.outcome == IpnDecision.Outcome.APPLIED, decision.reason
        self.paid_order = order

    @precondition(lambda self: self.paid_order is not None)
    @rule(again=st.booleans())
    def refund(self, again):
        order = Order.objects.get(pk=self.paid_order.pk)
        fields = {"parent_txn_id": order.txn_id, "mc_gross": -order.amount}
        decision = self._ipn(order, "Refunded", f"REF{order.pk:014d}", **fields)
        self._step(refused=False)
        assert decision.outcome == IpnDecision.Outcome.APPLIED, decision.reason
        if again:  # PayPal sends it twice: the second changes nothing
            repeat = self._ipn(order, "Refunded", f"REF{order.pk:014d}", **fields)
            self._step(refused=True)
            assert repeat.outcome == IpnDecision.Outcome.REJECTED
        self.paid_order = None

    # After every step --------------------------------------------------------------
    @invariant()
    def units_add_up_and_stay_within_quantity(self):
        for item in Item.objects.filter(pk__in=self.gift).annotate(
            rows=Sum("reservations__quantity", filter=_active("reservations"))
        ):
            assert item.reserved_count == (item.rows or 0) == self._reserved(item.pk)
            if not item.unlimited:
                assert item.reserved_count + item.received_elsewhere <= item.quantity

    @invariant()
    def pledges_add_up_and_stay_within_price(self):
        group = Item.objects.annotate(rows=Sum("pledges__amount", filter=_active("pledges"))).get(
            pk=self.group.pk
        )
        assert group.pledged_total == (group.rows or 0) == self._pledged()
        assert group.pledged_total <= group.price

    @invariant()
    def the_dashboard_shows_the_rows(self):
        response = self.client.get(reverse("registries:dashboard", args=[self.registry.slug]))
        assert response.status_code == 200
        html = response.content.decode()
        active = Reservation.objects.active().filter(item__registry=self.registry)
        units = active.aggregate(units=Sum("quantity"))["units"] or 0
        assert int(UNITS_RESERVED.search(html).group(1)) == units
        bought, of = map(int, BOUGHT_OF.search(html).groups())
        assert (bought, of) == (0, active.count()) == (0, sum(kind is UNITS for kind, _ in self.held))
        shown = {pledge.pk for pledge in response.context["pledges"]}
        assert shown == set(Pledge.objects.active().filter(item=self.group).values_list("pk", flat=True))
        assert shown == {pk for kind, pk in self.held if kind is AMOUNTS}
        plan = limits.current_plan(self.registry).name
        assert PLAN.search(html).group(1) == plan == ("Premium" if self.paid_order else "Free")


def _active(relation: str):
    from django.db.models import Q

    return Q(**{f"{relation}__cancelled_at__isnull": True})


def test_any_sequence_of_steps_keeps_counts_true_and_within_limits(request, capsys):
    # The plans of the data migration; transactional tests elsewhere may have flushed them.
    create_plans()
    run_state_machine_as_test(
        RegistryMachine,
        settings=hypothesis_settings(
            max_examples=50,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    report_figures(
        request,
        capsys,
        "invariants (hypothesis)",
        examples=TALLY.examples,
        steps=TALLY.steps,
        refused_as_predicted=TALLY.refused,
        counts_wrong=0,
        over_quantity_or_price=0,
    )
