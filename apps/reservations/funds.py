"""What happens to a contribution's money: paid through PayPal, received, refunded, or never sent.

Contributions (``Pledge``) to funds and group gifts go straight to the couple,
never through Whisper's account. Two ways, chosen per registry:

- **The couple's own instructions** (a bank transfer, a PayPal.me link, cash
  at the party): the contribution is a promise (``PROMISED``) until the couple
  marks it received (:func:`mark_received`).
- **PayPal**, to the couple's own PayPal address: the contribution waits for
  PayPal (``AWAITING``) and holds its share of the target meanwhile, so two
  guests can't both pay the last 50 EUR. ``apps.payments`` applies PayPal's
  IPNs: a verified one for this couple's address, amount and currency, with a
  new transaction, marks it paid (:func:`pay`); a refund or reversal takes it
  back (:func:`take_back`). A contribution nobody paid is released after
  ``WHISPER_PAYPAL_HOLD_HOURS`` by a periodic job (:func:`release_unpaid`):
  it is cancelled, its share goes back to the target, and the guest is told.
  Should PayPal's IPN come after that, it is applied only if the target still
  has room (an untargeted fund always has); otherwise it is refused and
  recorded, and the couple sees the payment in their own PayPal account.

Each function runs in one transaction and keeps the lock order of the claim
lifecycle (claim, item, registry); the running total moves only through the
conditional UPDATEs of ``services``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from paypal.standard.forms import PayPalPaymentsForm

from apps.core.emails import absolute
from apps.core.errors import ServiceError

from .models import Pledge
from .services import AMOUNTS, NotAvailable, _touch

Status = Pledge.Status
RELEASED_AND_COVERED = _(
    "This contribution was released before PayPal confirmed it, and the target is now covered."
)


class NotPayable(ServiceError):
    """A PayPal payment this contribution cannot take (``code`` says why)."""


def pay(pledge_id: int, txn_id: str) -> Pledge:
    """Mark a contribution paid by PayPal transaction ``txn_id`` (the caller checked the IPN).

    Raises :class:`NotPayable` when it is already paid (``already_paid``),
    refunded, or was released and the target has no room left for it any more.
    """
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().get(pk=pledge_id)
        if pledge.status == Status.PAID:
            raise NotPayable(_("This contribution is already paid."), code="already_paid")
        if pledge.status != Status.AWAITING:
            raise NotPayable(
                _("This contribution is %(status)s, not waiting for PayPal."),
                code="wrong_status",
                status=pledge.get_status_display().lower(),
            )
        if not pledge.is_active:
            # Released (no IPN in time) or cancelled by the guest; the money reached
            # the couple all the same: count it again if there is room.
            try:
                AMOUNTS._take(pledge.item_id, pledge.amount, total=pledge.amount)
            except NotAvailable as exc:
                raise NotPayable(
                    RELEASED_AND_COVERED,
                    code="released",
                ) from exc
            pledge.cancelled_at = None
        else:
            _touch(pledge.item_id)
        pledge.status, pledge.txn_id, pledge.settled_at = Status.PAID, txn_id, timezone.now()
        pledge.save(update_fields=["status", "txn_id", "settled_at", "cancelled_at", "updated_at"])
    return pledge


def take_back(pledge_id: int) -> Pledge:
    """A paid contribution was refunded or reversed: it no longer counts toward the target."""
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().get(pk=pledge_id)
        if pledge.status != Status.PAID:
            raise NotPayable(
                _("This contribution is %(status)s, so a refund changes nothing."),
                code="wrong_status",
                status=pledge.get_status_display().lower(),
            )
        pledge.status, pledge.cancelled_at = Status.REFUNDED, timezone.now()
        pledge.save(update_fields=["status", "cancelled_at", "updated_at"])
        _touch(pledge.item_id, pledged_total=F("pledged_total") - pledge.amount)
    return pledge


def mark_received(pledge_id: int, received: bool = True) -> Pledge:
    """The couple got a promised contribution (or, with ``received=False``, not yet).

    Only for the couple's own instructions: a PayPal contribution is marked
    paid by PayPal's IPN alone. Raises :class:`NotPayable` otherwise.
    """
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().get(pk=pledge_id)
        if pledge.via_paypal or not pledge.is_active:
            raise NotPayable(
                _("Only an active contribution sent by your own instructions can be marked received."),
                code="not_markable",
            )
        wanted = Status.RECEIVED if received else Status.PROMISED
        if pledge.status != wanted:
            pledge.status = wanted
            pledge.settled_at = timezone.now() if received else None
            pledge.save(update_fields=["status", "settled_at", "updated_at"])
            _touch(pledge.item_id)
    return pledge


def release_unpaid(now: datetime.datetime | None = None) -> int:
    """Cancel the PayPal contributions still unpaid after ``WHISPER_PAYPAL_HOLD_HOURS``; how many.

    Each is cancelled through the claim lifecycle (its share goes back, the
    guest gets the cancellation mail), in a transaction of its own.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.WHISPER_PAYPAL_HOLD_HOURS)
    stale = Pledge.objects.active().filter(status=Status.AWAITING, created_at__lt=cutoff)
    return sum(AMOUNTS.cancel(pk) for pk in stale.values_list("pk", flat=True))


def paypal_form(pledge: Pledge) -> PayPalPaymentsForm:
    """The button to PayPal Payments Standard: the guest pays the couple's own address.

    Whisper's IPN address is the ``notify_url``; the ``invoice`` (and ``custom``)
    name the contribution, so ``apps.payments`` can match PayPal's IPN to it.
    """
    item = pledge.item
    registry = item.registry
    manage = absolute(pledge.get_manage_url())
    return PayPalPaymentsForm(
        initial={
            "business": registry.paypal_email,
            "amount": f"{pledge.amount:.2f}",
            "currency_code": item.currency,
            "item_name": f"{item.title} — {registry.title}"[:127],
            "invoice": pledge.invoice,
            "custom": pledge.invoice,
            "notify_url": absolute(reverse("payments:ipn")),
            "return": manage,
            "cancel_return": manage,
            "no_shipping": "1",
            "rm": "1",  # back with a plain GET
        }
    )
