"""The guests' workflows: reserve a gift, change, mark as bought, cancel.

Each function is one transaction. The item's ``reserved_count`` only moves
through conditional ``UPDATE``s on the item row, so two guests can never
reserve more than the quantity wanted, whatever the timing: PostgreSQL
re-checks the ``WHERE`` clause of a concurrent update against the row as the
other transaction left it, and the table's CHECK constraint backs that up.

Rows are always locked in the same order — reservation, item, registry — so
that two workflows never wait on each other in a circle.

Every change bumps the item's and the registry's ``cache_version`` (the
cached public page must show the new counts) and writes the guest's mail to
the outbox in the same transaction (``apps.core.emails.send``); it is sent
once the transaction commits.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.core import emails
from apps.items.models import Item
from apps.notifications import services as notifications
from apps.registries.models import Registry

from .models import Reservation

# How many units of an "any number welcome" item one reservation may take.
MAX_UNLIMITED_PER_RESERVATION = 20


class ReservationError(Exception):
    """A request the services refuse; ``str(error)`` is meant for the guest."""


class NotAvailable(ReservationError):
    """Fewer units are left than asked for; nothing was written."""

    def __init__(self, remaining: int, message: str = "") -> None:
        self.remaining = remaining
        if not message:
            if remaining > 0:
                message = f"Sorry — only {remaining} left."
            else:
                message = "Sorry — this gift is no longer available."
        super().__init__(message)


class AlreadyCancelled(ReservationError):
    """The reservation was cancelled; it can no longer change."""

    def __init__(self) -> None:
        super().__init__("This reservation was cancelled, so it can no longer be changed.")


def _check_quantity(quantity: int) -> None:
    if quantity < 1:
        raise ReservationError("Please choose a quantity of at least 1.")


def _take(item_id: int, units: int, total: int) -> None:
    """Add ``units`` to the item's reserved count if that many are left.

    ``total`` is what the reservation will hold afterwards; on an item where
    any number is welcome it may not pass ``MAX_UNLIMITED_PER_RESERVATION``.
    One conditional UPDATE; when it matches no row nothing is written and
    :class:`NotAvailable` (or :class:`ReservationError` for the cap) is raised.
    """
    # Units the couple received off the registry are no longer left; a group
    # gift takes pledges (apps.reservations.pledges), never reservations.
    enough_left = Q(unlimited=False, reserved_count__lte=F("quantity") - F("received_elsewhere") - units)
    limit = (enough_left | Q(unlimited=True)) if total <= MAX_UNLIMITED_PER_RESERVATION else enough_left
    taken = Item.objects.filter(limit, pk=item_id, hidden=False, group_gift=False).update(
        reserved_count=F("reserved_count") + units, cache_version=F("cache_version") + 1
    )
    if taken:
        return
    row = (
        Item.objects.filter(pk=item_id)
        .values("hidden", "unlimited", "group_gift", "quantity", "reserved_count", "received_elsewhere")
        .first()
    )
    if row is None or row["hidden"] or row["group_gift"]:
        raise NotAvailable(0)
    if row["unlimited"]:
        raise ReservationError(f"Please reserve at most {MAX_UNLIMITED_PER_RESERVATION} at a time.")
    raise NotAvailable(max(row["quantity"] - row["reserved_count"] - row["received_elsewhere"], 0))


def _give_back(item_id: int, units: int) -> None:
    """Return ``units`` to the item (a cancellation or a smaller quantity)."""
    Item.objects.filter(pk=item_id).update(
        reserved_count=F("reserved_count") - units, cache_version=F("cache_version") + 1
    )


def _touch(item_id: int) -> None:
    """Bump the item's cache version (its card changes, its count does not)."""
    Item.objects.filter(pk=item_id).update(cache_version=F("cache_version") + 1)


def _bump_registry(item_id: int) -> None:
    """Bump the cache version of the registry holding ``item_id`` (one UPDATE)."""
    Registry.objects.filter(items__pk=item_id).update(cache_version=F("cache_version") + 1)


def send_mail(name: str, reservation_id: int) -> None:
    """Queue the mail ``name`` to the guest of ``reservation_id`` (in the caller's transaction)."""
    reservation = Reservation.objects.select_related("item__registry").get(pk=reservation_id)
    registry = reservation.item.registry
    emails.send(
        name,
        reservation.guest_email,
        {
            "reservation": reservation,
            "item": reservation.item,
            "registry": registry,
            "manage_url": emails.absolute(reservation.get_manage_url()),
            "registry_url": emails.absolute(registry.get_absolute_url()),
            "valid_until": registry.token_valid_until(),
        },
    )


def _locked(reservation_id: int) -> Reservation:
    """The reservation, its row locked until the transaction ends."""
    return Reservation.objects.select_for_update().get(pk=reservation_id)


def reserve(item_id: int, quantity: int, guest_name: str, guest_email: str, message: str = "") -> Reservation:
    """Reserve ``quantity`` units of a visible item for a guest; mail them the manage link.

    The couple hears of it too, as their notification preference and spoiler
    setting allow (``apps.notifications.services.reservation_made``).

    Raises :class:`NotAvailable` when fewer units are left (nothing is written)
    and :class:`ReservationError` for a quantity below 1 or, on an item where
    any number is welcome, above ``MAX_UNLIMITED_PER_RESERVATION``.
    """
    _check_quantity(quantity)
    with transaction.atomic():
        _take(item_id, quantity, total=quantity)
        reservation = Reservation.objects.create(
            item_id=item_id,
            quantity=quantity,
            guest_name=guest_name,
            guest_email=guest_email,
            message=message,
        )
        _bump_registry(item_id)
        send_mail("reservation_confirmation", reservation.pk)
        notifications.reservation_made(reservation)
    return reservation


def change_quantity(reservation_id: int, quantity: int) -> Reservation:
    """Change how many units a reservation holds; only the difference is taken or given back.

    Raises :class:`NotAvailable` when more is asked than is left,
    :class:`AlreadyCancelled` for a cancelled reservation, and
    :class:`ReservationError` for a quantity below 1 (or above the cap on
    unlimited items). Nothing is written in any of these cases.
    """
    _check_quantity(quantity)
    with transaction.atomic():
        reservation = _locked(reservation_id)
        if not reservation.is_active:
            raise AlreadyCancelled
        difference = quantity - reservation.quantity
        if difference == 0:
            return reservation
        if difference > 0:
            try:
                _take(reservation.item_id, difference, total=quantity)
            except NotAvailable as exc:
                most = exc.remaining + reservation.quantity
                if exc.remaining:
                    message = f"Sorry — only {exc.remaining} more left, so you can hold at most {most}."
                else:
                    message = f"Sorry — no more are left, so you can keep at most {most}."
                raise NotAvailable(exc.remaining, message) from None
        else:
            _give_back(reservation.item_id, -difference)
        reservation.quantity = quantity
        reservation.save(update_fields=["quantity", "updated_at"])
        _bump_registry(reservation.item_id)
        send_mail("reservation_changed", reservation.pk)
    return reservation


def mark_bought(reservation_id: int, bought: bool = True) -> Reservation:
    """Record that the guest bought the gift (or, with ``bought=False``, not yet).

    Raises :class:`AlreadyCancelled` for a cancelled reservation. Marking a
    reservation as it already is changes nothing and sends no mail.
    """
    with transaction.atomic():
        reservation = _locked(reservation_id)
        if not reservation.is_active:
            raise AlreadyCancelled
        if reservation.bought == bought:
            return reservation
        reservation.bought_at = timezone.now() if bought else None
        reservation.save(update_fields=["bought_at", "updated_at"])
        _touch(reservation.item_id)
        _bump_registry(reservation.item_id)
        send_mail("reservation_changed", reservation.pk)
    return reservation


def cancel(reservation_id: int) -> bool:
    """Cancel a reservation and give its units back to the item.

    Idempotent: the reservation row is locked first, so cancelling twice (or
    twice at once) gives the units back once. Returns True if this call
    cancelled it, False if it already was.
    """
    with transaction.atomic():
        reservation = _locked(reservation_id)
        if not reservation.is_active:
            return False
        reservation.cancelled_at = timezone.now()
        reservation.save(update_fields=["cancelled_at", "updated_at"])
        _give_back(reservation.item_id, reservation.quantity)
        _bump_registry(reservation.item_id)
        send_mail("reservation_cancelled", reservation.pk)
    return True
