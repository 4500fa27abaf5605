"""The guests' workflows for group gifts: pledge an amount, change it, cancel it.

A pledge is a promise: no money passes through Whisper, the pledge page tells
the guest how the couple wants to receive it (``Registry.pledge_instructions``).

The same guarantee as for units (``apps.reservations.services``): the item's
``pledged_total`` only moves through conditional ``UPDATE``s on the item row
(``pledged_total <= price - amount``), so guests pledging at the same time
never push the total past the price, whatever the timing — PostgreSQL
re-checks the ``WHERE`` clause of a concurrent update against the row as the
other transaction left it, and the table's CHECK constraint backs that up.

Rows are locked in the same order as reservations — pledge, item, registry.
Every change bumps the item's and the registry's ``cache_version`` (the
cached card shows the progress bar) and writes the guest's mail to the
outbox in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.core import emails
from apps.items.models import Item
from apps.metrics.api import count
from apps.registries.models import Registry

from .models import Pledge
from .services import ReservationError

CENT = Decimal("0.01")


def money(amount: Decimal, currency: str) -> str:
    """An amount as guests read it.

    >>> money(Decimal("1299.5"), "EUR")
    '1,299.50 EUR'
    """
    return f"{amount:,.2f} {currency}"


class NotEnoughLeft(ReservationError):
    """Less is left to contribute than was pledged; nothing was written."""

    def __init__(self, left: Decimal, currency: str, message: str = "", closed: bool = False) -> None:
        self.left = left
        self.closed = closed  # the item takes no pledges at all (hidden, not a group gift, received)
        if closed:
            message = message or "Sorry — this gift no longer takes contributions."
        elif not message:
            if left > 0:
                message = f"Sorry — only {money(left, currency)} left to contribute."
            else:
                message = "Sorry — this gift is fully funded already. Thank you!"
        super().__init__(message)


class PledgeCancelled(ReservationError):
    """The pledge was cancelled; it can no longer change."""

    def __init__(self) -> None:
        super().__init__("This pledge was cancelled, so it can no longer be changed.")


def _check_amount(amount: Decimal) -> None:
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ReservationError("Please pledge an amount above zero, in whole cents (e.g. 25.50).")


def _add(item_id: int, amount: Decimal) -> None:
    """Add ``amount`` to the item's pledged total if that stays within its price.

    One conditional UPDATE; when it matches no row nothing is written and
    :class:`NotEnoughLeft` says how much is left.
    """
    within_price = Q(price__isnull=False, pledged_total__lte=F("price") - amount)
    open_for_pledges = Q(hidden=False, group_gift=True, received_elsewhere__lt=F("quantity"))
    added = Item.objects.filter(within_price, open_for_pledges, pk=item_id).update(
        pledged_total=F("pledged_total") + amount, cache_version=F("cache_version") + 1
    )
    if added:
        return
    item = Item.objects.filter(pk=item_id).first()
    if item is None or item.hidden or not item.group_gift or not item.remaining():
        raise NotEnoughLeft(Decimal("0"), "", closed=True)
    raise NotEnoughLeft(item.left_to_pledge(), item.currency)


def _release(item_id: int, amount: Decimal) -> None:
    """Give ``amount`` back to the item (a cancellation or a smaller pledge)."""
    Item.objects.filter(pk=item_id).update(
        pledged_total=F("pledged_total") - amount, cache_version=F("cache_version") + 1
    )


def _bump_registry(item_id: int) -> None:
    """Bump the cache version of the registry holding ``item_id`` (one UPDATE)."""
    Registry.objects.filter(items__pk=item_id).update(cache_version=F("cache_version") + 1)


def _locked(pledge_id: int) -> Pledge:
    """The pledge, its row locked until the transaction ends."""
    return Pledge.objects.select_for_update().get(pk=pledge_id)


def send_mail(name: str, pledge_id: int) -> None:
    """Queue the mail ``name`` to the guest of ``pledge_id`` (in the caller's transaction)."""
    pledge = Pledge.objects.select_related("item__registry").get(pk=pledge_id)
    item = pledge.item
    registry = item.registry
    emails.send(
        name,
        pledge.guest_email,
        {
            "pledge": pledge,
            "item": item,
            "registry": registry,
            "amount": money(pledge.amount, item.currency),
            "manage_url": emails.absolute(pledge.get_manage_url()),
            "registry_url": emails.absolute(registry.get_absolute_url()),
            "valid_until": registry.token_valid_until(),
        },
    )


def pledge(item_id: int, amount: Decimal, guest_name: str, guest_email: str, message: str = "") -> Pledge:
    """Pledge ``amount`` toward a visible group gift for a guest; mail them the manage link.

    Raises :class:`NotEnoughLeft` when less than ``amount`` is left to
    contribute (or the item takes no pledges), and :class:`ReservationError`
    for an amount that is not positive. Nothing is written in these cases.
    """
    _check_amount(amount)
    with transaction.atomic():
        _add(item_id, amount)
        new = Pledge.objects.create(
            item_id=item_id, amount=amount, guest_name=guest_name, guest_email=guest_email, message=message
        )
        _bump_registry(item_id)
        send_mail("pledge_confirmation", new.pk)
        count("pledges")
    return new


def change_pledge(pledge_id: int, amount: Decimal) -> Pledge:
    """Change the amount of a pledge; only the difference is added or given back.

    Raises :class:`NotEnoughLeft` when the increase is more than is left,
    :class:`PledgeCancelled` for a cancelled pledge, and
    :class:`ReservationError` for an amount that is not positive. Nothing is
    written in any of these cases.
    """
    _check_amount(amount)
    with transaction.atomic():
        current = _locked(pledge_id)
        if not current.is_active:
            raise PledgeCancelled
        difference = amount - current.amount
        if difference == 0:
            return current
        if difference > 0:
            try:
                _add(current.item_id, difference)
            except NotEnoughLeft as exc:
                if exc.closed:
                    raise
                currency = Item.objects.values_list("currency", flat=True).get(pk=current.item_id)
                most = money(exc.left + current.amount, currency)
                if exc.left > 0:
                    message = (
                        f"Sorry — only {money(exc.left, currency)} more left to contribute, "
                        f"so you can pledge at most {most}."
                    )
                else:
                    message = f"Sorry — nothing more is left to contribute, so you can pledge at most {most}."
                raise NotEnoughLeft(exc.left, currency, message) from None
        else:
            _release(current.item_id, -difference)
        current.amount = amount
        current.save(update_fields=["amount", "updated_at"])
        _bump_registry(current.item_id)
        send_mail("pledge_changed", current.pk)
    return current


def cancel_pledge(pledge_id: int) -> bool:
    """Cancel a pledge and give its amount back to the group gift.

    Idempotent: the pledge row is locked first, so cancelling twice (or twice
    at once) gives the amount back once. Returns True if this call cancelled
    it, False if it already was.
    """
    with transaction.atomic():
        current = _locked(pledge_id)
        if not current.is_active:
            return False
        current.cancelled_at = timezone.now()
        current.save(update_fields=["cancelled_at", "updated_at"])
        _release(current.item_id, current.amount)
        _bump_registry(current.item_id)
        send_mail("pledge_cancelled", current.pk)
    return True
