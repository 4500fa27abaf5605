"""PayPal IPNs for guests' contributions, paid straight to a couple's own PayPal account.

The upgrade's IPN rules (``services``), applied per couple: a contribution
(``reservations.Pledge``, to a fund or a group gift) counts as paid only after
an IPN that PayPal verified, whose receiver is *that registry's* PayPal address
— never another couple's, never Whisper's own ``PAYPAL_RECEIVER_EMAIL`` —
whose amount and currency are what the guest chose, and whose transaction is
new. A full refund or a reversal takes it back. Every IPN gets an
``IpnDecision`` saying what it did and why, in one transaction with the
contribution's row locked (the claim lock order: claim, item, registry), so
two IPNs at once apply once; unique constraints on the transaction ids back
it up. What a paid or refunded contribution does to the running total is the
reservations app's (``apps.reservations.funds``).

    Completed            awaiting → paid      (counted, the couple sees it paid)
    Refunded (full)      paid     → refunded  (no longer counted)
    Reversed             paid     → refunded
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from paypal.standard.ipn.models import PayPalIPN
from paypal.standard.models import ST_PP_COMPLETED, ST_PP_REFUNDED, ST_PP_REVERSED

from apps.metrics.api import count
from apps.reservations import funds
from apps.reservations.models import PAYPAL_INVOICE_PREFIX, Pledge

from .models import IpnDecision
from .services import Refusal, already_applied, check_verified, named_by

logger = logging.getLogger(__name__)


def concerns(ipn: PayPalIPN) -> bool:
    """Whether ``ipn`` is about a guest's contribution rather than an upgrade order."""
    if (ipn.invoice or "").startswith(PAYPAL_INVOICE_PREFIX):
        return True
    return bool(ipn.parent_txn_id) and Pledge.objects.filter(txn_id=ipn.parent_txn_id).exists()


def handle_ipn(ipn: PayPalIPN) -> IpnDecision:
    """Apply ``ipn`` to its contribution if every check passes; record the decision either way."""
    with transaction.atomic(), translation.override("en"):
        pledge, name = None, ""
        try:
            check_verified(ipn)
            pledge = _locked_pledge(ipn)
            _check_receiver(ipn, pledge)
            action = ACTIONS.get(ipn.payment_status)
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
            try:
                with transaction.atomic():  # a savepoint: a lost race leaves a clean transaction
                    reason = apply(ipn, pledge)
                    decision = _decide(ipn, pledge, IpnDecision.Outcome.APPLIED, reason, name)
            except funds.NotPayable as exc:
                raise Refusal(str(exc), code=exc.code) from exc
            except IntegrityError as exc:
                raise Refusal(
                    _("Transaction %(txn_id)s was already applied."),
                    code="already_applied",
                    txn_id=ipn.txn_id,
                ) from exc
        except Refusal as refusal:
            logger.info("Contribution IPN %s rejected: %s", ipn.pk, refusal)
            return _decide(ipn, pledge, IpnDecision.Outcome.REJECTED, str(refusal), name)
        logger.info("Contribution IPN %s applied to %s: %s", ipn.pk, pledge.invoice, reason)
        if name == "payment":
            count("pledges_paid")
        return decision


def _decide(ipn: PayPalIPN, pledge: Pledge | None, outcome: str, reason: str, action: str) -> IpnDecision:
    return IpnDecision.objects.create(
        ipn=ipn, pledge=pledge, outcome=outcome, action=action, txn_id=ipn.txn_id or "", reason=reason[:300]
    )


def _locked_pledge(ipn: PayPalIPN) -> Pledge:
    """The contribution ``ipn`` names (by invoice; a refund by the payment it undoes), locked."""
    pledge = named_by(ipn, Pledge.objects.select_for_update(of=("self",)).select_related("item__registry"))
    if pledge is None:
        raise Refusal(
            _("No contribution for invoice %(invoice)r."),
            code="unknown_pledge",
            invoice=ipn.invoice or "(none)",
        )
    return pledge


def _norm(address: str | None) -> str:
    return (address or "").strip().lower()


def _check_receiver(ipn: PayPalIPN, pledge: Pledge) -> None:
    """The money went to this registry's couple: never Whisper's account, never another couple's."""
    named = {_norm(ipn.receiver_email), _norm(ipn.business)} - {""}
    if _norm(settings.PAYPAL_RECEIVER_EMAIL) in named:
        raise Refusal(
            _("Receiver %(receiver)r is Whisper's own account: contributions go to the couple."),
            code="whisper_receiver",
            receiver=ipn.receiver_email or ipn.business,
        )
    couple = _norm(pledge.item.registry.paypal_email)
    if not couple or couple not in named:
        raise Refusal(
            _("Receiver %(receiver)r is not this couple's PayPal account."),
            code="wrong_receiver",
            receiver=ipn.receiver_email or "(none)",
        )


def _check_money(ipn: PayPalIPN, pledge: Pledge, *, refund: bool = False) -> None:
    currency = pledge.item.currency
    if _norm(ipn.mc_currency).upper() != currency:
        raise Refusal(
            _("Currency %(currency)r does not match the contribution's %(expected)s."),
            code="wrong_currency",
            currency=ipn.mc_currency,
            expected=currency,
        )
    gross = ipn.mc_gross if ipn.mc_gross is not None else Decimal("0")
    if refund:  # PayPal reports refunds as negative amounts
        if abs(gross) < pledge.amount:
            raise Refusal(
                _("Partial refund of %(refunded)s of %(amount)s: the contribution stays."),
                code="partial_refund",
                refunded=abs(gross),
                amount=pledge.amount,
            )
    elif gross != pledge.amount:
        raise Refusal(
            _("Amount %(gross)s does not match the contribution's %(amount)s."),
            code="wrong_amount",
            gross=gross,
            amount=pledge.amount,
        )


def _apply_payment(ipn: PayPalIPN, pledge: Pledge) -> str:
    if not ipn.txn_id:
        raise Refusal(_("The payment has no transaction id."), code="no_txn_id")
    _check_money(ipn, pledge)
    funds.pay(pledge.pk, ipn.txn_id)
    return _("Paid %(amount)s %(currency)s to the couple: contribution %(invoice)s counts.") % {
        "amount": pledge.amount,
        "currency": pledge.item.currency,
        "invoice": pledge.invoice,
    }


def _apply_refund(ipn: PayPalIPN, pledge: Pledge) -> str:
    _check_money(ipn, pledge, refund=True)
    funds.take_back(pledge.pk)
    return str(_("Refunded: the contribution no longer counts."))


def _apply_reversal(ipn: PayPalIPN, pledge: Pledge) -> str:
    funds.take_back(pledge.pk)
    return str(_("Reversed by PayPal: the contribution no longer counts."))


ACTIONS: dict[str, tuple[str, Callable[[PayPalIPN, Pledge], str]]] = {
    ST_PP_COMPLETED: ("payment", _apply_payment),
    ST_PP_REFUNDED: ("refund", _apply_refund),
    ST_PP_REVERSED: ("reversal", _apply_reversal),
}
