"""The couple's thank-you list: one entry per guest across everything they gave.

Reservations, contributions (pledges) and gifts bought off the list, grouped
by the guest's email (case ignored; a gift off the list without an email is
a guest of its own), with what each was worth and in which currency, the
guests' messages, the postal address a guest left for a card, and when the
couple thanked them. Read with three queries whatever the number of guests;
ticking a guest off (or back on) is one transaction over all their gifts.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.errors import ServiceError
from apps.items import services as items
from apps.items.models import Item
from apps.registries.models import Registry

from .models import OffRegistryGift, Pledge, Reservation
from .services import money


class GiftNotRecorded(ServiceError):
    """The couple's note of a gift off the list was refused (``not_on_list``, ``received_too_many``)."""

    code = "not_recorded"


@dataclass
class Given:
    """One thing a guest gave, as the list shows it."""

    kind: str  # "reservation", "pledge", "gift"
    what: str
    value: str  # what it was worth, as guests read it ("" when unknown)
    message: str
    when: datetime.datetime
    thanked_at: datetime.datetime | None
    thanked: bool
    amount: Decimal | None = None
    currency: str = ""


@dataclass
class Guest:
    """Everyone's gifts from one guest, newest first."""

    key: str
    name: str
    email: str
    gifts: list[Given] = field(default_factory=list)
    address: str = ""

    @property
    def thanked(self) -> bool:
        return all(gift.thanked for gift in self.gifts)

    @property
    def thanked_at(self) -> datetime.datetime | None:
        """When the last of the guest's gifts was ticked off (None while one is not)."""
        if not self.thanked:
            return None
        return max((gift.thanked_at for gift in self.gifts if gift.thanked_at), default=None)

    @property
    def totals(self) -> list[str]:
        """What the guest gave, per currency (where the amounts are known)."""
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for gift in self.gifts:
            if gift.amount is not None:
                sums[gift.currency] += gift.amount
        return [money(amount, currency) for currency, amount in sorted(sums.items())]


def guest_key(email: str, gift_pk: int | None = None) -> str:
    """Which guest an email stands for (a gift off the list without one: a guest of its own)."""
    return email.strip().casefold() if email.strip() else f"gift-{gift_pk}"


def thank_you_list(registry: Registry) -> list[Guest]:
    """One entry per guest, those still to thank first, then by name."""
    guests: dict[str, Guest] = {}

    def add(key: str, name: str, email: str, given: Given, address: str = "") -> None:
        guest = guests.setdefault(key, Guest(key, name, email))
        guest.gifts.append(given)
        guest.address = guest.address or address

    reservations = Reservation.objects.active().filter(item__registry=registry).select_related("item")
    for r in reservations.order_by("-created_at"):
        worth = r.item.price * r.quantity if r.item.price is not None else None
        what = r.item.title if r.quantity == 1 else f"{r.quantity} × {r.item.title}"
        value = money(worth, r.item.currency) if worth is not None else ""
        given = Given("reservation", what, value, r.message, r.created_at, r.thanked_at, r.thanked)
        given.amount, given.currency = worth, r.item.currency
        add(guest_key(r.guest_email), r.guest_name, r.guest_email, given, r.thank_you_address)
    pledges = Pledge.objects.active().filter(item__registry=registry).select_related("item")
    for p in pledges.order_by("-created_at"):
        value = money(p.amount, p.item.currency)
        given = Given("pledge", p.item.title, value, p.message, p.created_at, p.thanked_at, p.thanked)
        given.amount, given.currency = p.amount, p.item.currency
        add(guest_key(p.guest_email), p.guest_name, p.guest_email, given, p.thank_you_address)
    for g in registry.off_registry_gifts.order_by("-created_at"):
        value = money(g.amount, g.currency) if g.amount is not None else ""
        given = Given("gift", g.description, value, g.message, g.created_at, g.thanked_at, g.thanked)
        given.amount, given.currency = g.amount, g.currency
        add(guest_key(g.guest_email, g.pk), g.guest_name, g.guest_email, given)
    for guest in guests.values():
        guest.gifts.sort(key=lambda gift: gift.when, reverse=True)
    return sorted(guests.values(), key=lambda guest: (guest.thanked, guest.name.casefold(), guest.key))


def set_guest_thanked(registry: Registry, key: str, thanked: bool) -> int:
    """Tick everything one guest (``guest_key``) gave off the list, or put it back; how many rows changed."""
    now = timezone.now()
    values = {"thanked": thanked, "thanked_at": now if thanked else None}
    with transaction.atomic():
        if key.startswith("gift-") and key[5:].isdigit():
            return registry.off_registry_gifts.filter(pk=int(key[5:]), guest_email="").update(**values)
        changed = 0
        for model in (Reservation, Pledge):
            rows = model.objects.active().filter(item__registry=registry, guest_email__iexact=key)
            changed += rows.exclude(thanked=thanked).update(**values, updated_at=now)
        gifts = registry.off_registry_gifts.filter(guest_email__iexact=key).exclude(thanked=thanked)
        return changed + gifts.update(**values)


def record_gift(registry: Registry, gift: OffRegistryGift) -> OffRegistryGift:
    """The couple notes who gave them what off the list; a gift on the list then counts one more received.

    One transaction: the gift's row is locked, its count goes up (refused,
    with nothing written, when guests hold all that is left), the note is saved.
    """
    with transaction.atomic():
        gift.registry = registry
        if gift.item_id is not None:
            item = Item.objects.select_for_update().filter(pk=gift.item_id, registry=registry).first()
            if item is None:
                raise GiftNotRecorded(_("That gift is not on your list."), code="not_on_list")
            try:
                items.set_received_elsewhere(item, item.received_elsewhere + 1)
            except items.ReceivedTooMany as exc:
                raise GiftNotRecorded(
                    _("Guests have already claimed all of “%(title)s”, so it can't count as received too."),
                    code="received_too_many",
                    title=item.title,
                ) from exc
        gift.save()
    return gift
