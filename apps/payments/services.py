"""Payment workflows: open an order, and apply (or refuse) what PayPal's IPNs tell us.

Every IPN django-paypal stores reaches ``handle_ipn`` through the signal
receivers in ``handlers``. It decides, in one transaction with the order row
locked (``select_for_update``), whether the IPN changes anything, and always
writes an ``IpnDecision`` saying what it did and why. An IPN is applied only
when PayPal verified it, it is addressed to our receiver, it names an order we
know, amount and currency match, and its transaction has not been applied
before; anything else changes nothing. Repeats and races are harmless: the order
row lock serialises them, the order's status moves only along the table below,
and unique constraints on the transaction ids back it all up in the database.

    Completed          pending  → paid      (the registry is upgraded)
    Refunded (full)    paid     → refunded  (back to Free)
    Reversed           paid     → reversed  (back to Free)
    Canceled_Reversal  reversed → paid      (upgraded again)
"""

from __future__ import annotations

import logging
import string
from collections.abc import Callable
from decimal import Decimal
from urllib.parse import quote_from_bytes

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from paypal.standard.ipn.models import PayPalIPN
from paypal.standard.models import (
    ST_PP_CANCELED_REVERSAL,
    ST_PP_COMPLETED,
    ST_PP_REFUNDED,
    ST_PP_REVERSED,
)

from apps.core import emails
from apps.core.errors import ServiceError
from apps.core.money import format_money
from apps.metrics.api import count

from .models import IpnDecision, Order, Plan, new_invoice

logger = logging.getLogger(__name__)

DUPLICATE_FLAG = "Duplicate txn_id."
Status = Order.Status
# How much of a body django-paypal could not take is kept (PayPal's IPNs are far shorter).
UNREADABLE_KEPT = 10_000


class Refusal(ServiceError):
    """Why an IPN changes nothing (internal to this module); ``str()`` is the decision's reason."""


# Checkout ------------------------------------------------------------------


def open_order(registry, plan: Plan, user) -> Order:
    """A pending order for ``plan`` on ``registry``, at the plan's current price.

    Reloading the upgrade page reuses the latest pending order at the same
    price rather than piling up new ones; a changed price gets a new order.
    """
    if plan.is_free or not plan.active:
        raise ValueError(f"{plan} cannot be bought")
    # No transaction needed: one row; two reloads racing at worst leave a
    # spare pending order, which nothing ever applies to.
    order = (
        Order.objects.filter(
            registry=registry,
            plan=plan,
            status=Status.PENDING,
            amount=plan.price,
            currency=plan.currency,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if order is None:
        fields = {"registry": registry, "plan": plan, "created_by": user, "amount": plan.price}
        # A new order number that is already taken (one in a trillion): draw again.
        for attempt in range(3):
            invoice = new_invoice()
            try:
                with transaction.atomic():
                    return Order.objects.create(**fields, currency=plan.currency, invoice=invoice)
            except IntegrityError:
                if attempt == 2 or not Order.objects.filter(invoice=invoice).exists():
                    raise
    return order


# IPN -----------------------------------------------------------------------


def handle_ipn(ipn: PayPalIPN) -> IpnDecision:
    """Apply ``ipn`` to its order if every check passes; record the decision either way.

    One transaction: the order's new status, the registry's cache version and
    the decision are written together, or not at all.
    """
    # PayPal's request has no reader's language: the reasons are written in
    # English, so the stored audit trail stays the same and searchable.
    with transaction.atomic(), translation.override("en"):
        order, name = None, ""
        try:
            check_verified(ipn)
            _check_ours(ipn)
            action = ACTIONS.get(ipn.payment_status)
            order = _locked_order(ipn)
            if action is None:
                raise Refusal(
                    _("Payment status %(status)r changes nothing."),
                    code="ignored_status",
                    status=ipn.payment_status or "(none)",
                )
            name, apply = action
            if already_applied(name, ipn.txn_id):
                raise Refusal(
                    _("Transaction %(txn_id)s was already applied (%(action)s); nothing to do."),
                    code="already_applied",
                    txn_id=ipn.txn_id,
                    action=name,
                )
            reason = apply(ipn, order)
            try:
                with transaction.atomic():  # a savepoint: a lost race leaves a clean transaction
                    order.save()
                    decision = _decide(ipn, order, IpnDecision.Outcome.APPLIED, reason, name)
            except IntegrityError as exc:
                raise Refusal(
                    _("Transaction %(txn_id)s was already applied."),
                    code="already_applied",
                    txn_id=ipn.txn_id,
                ) from exc
        except Refusal as refusal:
            logger.info("IPN %s rejected: %s", ipn.pk, refusal)
            return _decide(ipn, order, IpnDecision.Outcome.REJECTED, str(refusal), name)
        order.registry.bump_version()
        logger.info("IPN %s applied to %s: %s", ipn.pk, order.invoice, reason)
        _count(name, order)
        if name == "payment":
            _send_receipt(order.pk)  # into the outbox, in this transaction
        return decision


@transaction.atomic
def reject_unreadable_ipn(body: bytes, address: str | None, reason: str) -> IpnDecision:
    """Store a body posted as an IPN that django-paypal could not take, flagged, and reject it.

    So every IPN is on record with a decision. The body is kept as printable
    ASCII (the rest percent-escaped: PostgreSQL stores no NUL), cut to ``UNREADABLE_KEPT``.
    """
    query = quote_from_bytes(body[:UNREADABLE_KEPT], safe=string.punctuation)
    ipn = PayPalIPN(query=query, ipaddress=address or None)
    ipn.set_flag(reason)
    ipn.save()
    return handle_ipn(ipn)


def _count(action: str, order: Order) -> None:
    """Daily metrics (counted on commit): upgrades, and revenue in cents, refunds taking it back."""
    cents = int(order.amount * 100)
    if action == "payment":
        count("upgrades")
    count("revenue", -cents if action in {"refund", "reversal"} else cents)


def already_applied(action: str, txn_id: str) -> bool:
    """Whether transaction ``txn_id`` was applied as ``action`` before (to any order or contribution)."""
    applied = IpnDecision.objects.filter(outcome=IpnDecision.Outcome.APPLIED, action=action, txn_id=txn_id)
    return bool(txn_id) and applied.exists()


def _decide(ipn: PayPalIPN, order: Order | None, outcome: str, reason: str, action: str) -> IpnDecision:
    return IpnDecision.objects.create(
        ipn=ipn, order=order, outcome=outcome, action=action, txn_id=ipn.txn_id or "", reason=reason[:300]
    )


def check_verified(ipn: PayPalIPN) -> None:
    """Refuse IPNs PayPal did not verify (or sandbox ones on the live site)."""
    flag = (ipn.flag_info or "").strip()
    # django-paypal flags a verified repeat of a transaction as a duplicate; we
    # are idempotent ourselves, so such a repeat is judged like any other IPN.
    if ipn.flag and not (ipn.response == "VERIFIED" and flag.startswith(DUPLICATE_FLAG)):
        raise Refusal(_("Not verified: %(flag)s"), code="flagged", flag=flag or _("flagged by django-paypal"))
    if ipn.response != "VERIFIED":
        raise Refusal(
            _("PayPal did not verify this IPN (%(response)r)."),
            code="unverified",
            response=ipn.response or "no answer",
        )
    if ipn.test_ipn and not settings.PAYPAL_TEST:
        raise Refusal(_("A sandbox IPN reached the live site."), code="sandbox")


def _check_ours(ipn: PayPalIPN) -> None:
    """Refuse an upgrade's IPN that was not paid to Whisper's own account."""
    ours = settings.PAYPAL_RECEIVER_EMAIL.strip().lower()
    if (ipn.receiver_email or "").strip().lower() != ours:
        raise Refusal(
            _("Receiver %(receiver)r is not our PayPal account."),
            code="wrong_receiver",
            receiver=ipn.receiver_email or "(none)",
        )


def named_by(ipn: PayPalIPN, rows):
    """The row of ``rows`` (orders, or contributions) that ``ipn`` is about, or None.

    A payment names its row by invoice; refunds and reversals name the
    payment they undo (``parent_txn_id``), which is the firmer link. Lock
    ``rows`` (``select_for_update``) to keep the row until the transaction ends.
    """
    if ipn.payment_status == ST_PP_COMPLETED or not ipn.parent_txn_id:
        return rows.filter(invoice=ipn.invoice).first() if ipn.invoice else None
    row = rows.filter(txn_id=ipn.parent_txn_id).first()
    if row is not None and ipn.invoice and ipn.invoice != row.invoice:
        raise Refusal(
            _("Invoice %(invoice)r does not belong to transaction %(txn_id)s."),
            code="wrong_invoice",
            invoice=ipn.invoice,
            txn_id=ipn.parent_txn_id,
        )
    return row


def _locked_order(ipn: PayPalIPN) -> Order:
    """The order ``ipn`` is about, locked until the transaction ends."""
    order = named_by(ipn, Order.objects.select_for_update().select_related("registry", "plan"))
    if order is None:
        raise Refusal(
            _("No order for invoice %(invoice)r."), code="unknown_order", invoice=ipn.invoice or "(none)"
        )
    return order


def _check_money(ipn: PayPalIPN, order: Order, *, refund: bool = False) -> None:
    if (ipn.mc_currency or "").upper() != order.currency:
        raise Refusal(
            _("Currency %(currency)r does not match the order's %(expected)s."),
            code="wrong_currency",
            currency=ipn.mc_currency,
            expected=order.currency,
        )
    gross = ipn.mc_gross if ipn.mc_gross is not None else Decimal("0")
    if refund:  # PayPal reports refunds as negative amounts
        if abs(gross) < order.amount:
            raise Refusal(
                _("Partial refund of %(refunded)s of %(amount)s: the upgrade stays."),
                code="partial_refund",
                refunded=abs(gross),
                amount=order.amount,
            )
    elif gross != order.amount:
        raise Refusal(
            _("Amount %(gross)s does not match the order's %(amount)s."),
            code="wrong_amount",
            gross=gross,
            amount=order.amount,
        )


def _require_status(order: Order, status: str, refusal: str) -> None:
    if order.status != status:
        raise Refusal(refusal, code="wrong_status", status=order.get_status_display().lower())


def _apply_payment(ipn: PayPalIPN, order: Order) -> str:
    if order.status != Status.PENDING and order.txn_id == ipn.txn_id:
        raise Refusal(
            _("Transaction %(txn_id)s was already applied to this order."),
            code="already_applied",
            txn_id=ipn.txn_id,
        )
    _require_status(order, Status.PENDING, _("The order is %(status)s, not waiting for payment."))
    if not ipn.txn_id:
        raise Refusal(_("The payment has no transaction id."), code="no_txn_id")
    _check_money(ipn, order)
    order.status = Status.PAID
    order.txn_id = ipn.txn_id
    order.paid_at = timezone.now()
    order.payer_email = (ipn.payer_email or "")[:254]
    return _("Paid %(amount)s: registry upgraded to %(plan)s.") % {
        "amount": format_money(order.amount, order.currency),
        "plan": order.plan.name,
    }


def _apply_refund(ipn: PayPalIPN, order: Order) -> str:
    _require_status(order, Status.PAID, _("The order is %(status)s, so a refund changes nothing."))
    _check_money(ipn, order, refund=True)
    order.status = Status.REFUNDED
    return str(_("Refunded: the registry is back on the Free plan."))


def _apply_reversal(ipn: PayPalIPN, order: Order) -> str:
    _require_status(order, Status.PAID, _("The order is %(status)s, so a reversal changes nothing."))
    order.status = Status.REVERSED
    return str(_("Reversed by PayPal: the registry is back on the Free plan."))


def _apply_canceled_reversal(ipn: PayPalIPN, order: Order) -> str:
    _require_status(order, Status.REVERSED, _("The order is %(status)s, not reversed."))
    order.status = Status.PAID
    return _("Reversal cancelled: the registry is on %(plan)s again.") % {"plan": order.plan.name}


# payment_status → (action recorded on the decision, what it does to the order)
ACTIONS: dict[str, tuple[str, Callable[[PayPalIPN, Order], str]]] = {
    ST_PP_COMPLETED: ("payment", _apply_payment),
    ST_PP_REFUNDED: ("refund", _apply_refund),
    ST_PP_REVERSED: ("reversal", _apply_reversal),
    ST_PP_CANCELED_REVERSAL: ("canceled_reversal", _apply_canceled_reversal),
}


def _send_receipt(order_id: int) -> None:
    """Tell the couple their upgrade is live (queued in the payment's transaction)."""
    order = Order.objects.select_related("registry", "plan").get(pk=order_id)
    context = {
        "order": order,
        "registry": order.registry,
        "orders_url": emails.absolute(reverse("payments:orders", args=[order.registry.slug])),
    }
    for email, language in order.registry.owners.values_list("email", "language"):
        emails.send("upgrade_receipt", email, context, language=language)
