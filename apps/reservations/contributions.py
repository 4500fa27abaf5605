"""What the reservations app contributes to the apps below it.

The dashboard's claims panel and thank-you list (``apps.registries.hooks``),
what guests gave in an account's export (``apps.registries.export``), and
erasing guests' details (``apps.privacy``); and each new reservation is
counted (``apps.metrics``).

Registered by ``ReservationsConfig.ready()`` (see ``apps.core.hooks``).
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.db.models.signals import post_save
from django.http import HttpRequest
from django.utils import timezone

from apps.items import hooks as items
from apps.items.models import Item
from apps.metrics.signals import count_created
from apps.privacy import services as privacy
from apps.registries.export import RegistryExport, exporting_registries, fields_of
from apps.registries.hooks import dashboard_panels
from apps.registries.models import Registry

from . import thanks
from .models import OffRegistryGift, Pledge, Reservation
from .services import KINDS, money

# What an account's export shows of each guest's claim or gift.
GUEST = ["guest_name", "guest_email"]
THANKS = ["thanked", "thanked_at"]
RESERVATION_FIELDS = [
    *GUEST,
    "quantity",
    "message",
    "thank_you_address",
    "created_at",
    "bought_at",
    "cancelled_at",
    *THANKS,
]
PLEDGE_FIELDS = [
    *GUEST,
    "amount",
    "status",
    "message",
    "thank_you_address",
    "created_at",
    "settled_at",
    "cancelled_at",
    *THANKS,
]
GIFT_FIELDS = [*GUEST, "description", "amount", "currency", "message", "created_at", *THANKS]
# What the dashboard shows of each reservation (its list, what is new, the thank-yous to write):
# not the dates and keys it never shows, which cost as much to read as the rest.
DASHBOARD_RESERVATION_FIELDS = [*GUEST, "item", "quantity", "message", "bought_at", "thanked", "created_at"]


@dashboard_panels.register
def claims_panel(request: HttpRequest, context: dict) -> None:
    """Who reserved and pledged what, and the gifts bought elsewhere, as the spoiler setting allows.

    Three queries at most, whatever the number of gifts. Names and messages
    only when the setting shows everything; with "counts only", the number
    of gifts bought elsewhere.
    """
    registry, view = context["registry"], context["view"]
    context.update(reservations=[], pledges=[], gifts_elsewhere=[])
    if view == Registry.Spoilers.COUNTS:
        context["gifts_elsewhere_count"] = registry.off_registry_gifts.count()
    if view != Registry.Spoilers.ALL:
        return
    reservations = list(
        Reservation.objects.active()
        .filter(item__registry=registry)
        .only(*DASHBOARD_RESERVATION_FIELDS)
        .order_by("-created_at")
    )
    pledges = list(Pledge.objects.active().filter(item__registry=registry).order_by("-created_at"))
    _with_gifts([*reservations, *pledges], context.get("items", []))
    context["summary"].update(
        reservations=len(reservations),
        bought=sum(r.bought for r in reservations),
        thanked=sum(r.thanked for r in reservations),
    )
    for pledge in pledges:
        pledge.amount_display = money(pledge.amount, pledge.item.currency)
    gifts_elsewhere = list(registry.off_registry_gifts.order_by("-created_at"))
    context.update(reservations=reservations, pledges=pledges, gifts_elsewhere=gifts_elsewhere)
    # The thank-you list's panel: how many guests (by email, as the list groups them) are still to thank.
    to_thank = {thanks.guest_key(c.guest_email) for c in [*reservations, *pledges] if not c.thanked}
    to_thank |= {thanks.guest_key(g.guest_email, g.pk) for g in gifts_elsewhere if not g.thanked}
    context["guests_to_thank"] = len(to_thank)


def _with_gifts(claims: list, items: list[Item]) -> None:
    """Give each claim its gift from ``items`` (the dashboard's, already read): no join, no query.

    A gift missing from them (there is none on the dashboard) is read, all in one query.
    """
    gifts = {item.pk: item for item in items}
    missing = {c.item_id for c in claims if c.item_id is not None and c.item_id not in gifts}
    if missing:  # (an empty ``pk__in`` costs no query, but still a compiled one)
        gifts.update((item.pk, item) for item in Item.objects.filter(pk__in=missing))
    for claim in claims:
        if claim.item_id is not None:
            type(claim).item.field.set_cached_value(claim, gifts[claim.item_id])


@dashboard_panels.register
def thank_you_panel(request: HttpRequest, context: dict) -> None:
    """A link to the thank-you list (no query: ``claims_panel`` counted who is still to thank)."""
    context.setdefault("panels", []).append("reservations/_thank_you_panel.html")


@items.gift_removed.register
def tell_guests(item, *, removed: bool, deleted: bool) -> None:
    """Each guest with a standing claim on a gift the couple deleted or hid gets one mail."""
    for kind in KINDS.values():
        if removed:
            kind.gift_removed(item.pk, deleted=deleted)
        else:
            kind.gift_restored(item.pk)


@privacy.erasing_guest_data.register
def erase_guests(cutoff: datetime.date, mail_cutoff: datetime.datetime) -> dict[str, int]:
    """Blank the guests' details on the claims and gifts of registries whose event was by ``cutoff``."""
    now = timezone.now()
    # By the claim's own registry: a claim on a gift the couple deleted is erased too.
    claims = {
        name: model.objects.filter(registry__event_date__lte=cutoff)
        .filter(privacy.not_erased() | ~Q(thank_you_address=""))
        .update(**privacy.BLANK, thank_you_address="", updated_at=now)
        for name, model in (("reservations", Reservation), ("pledges", Pledge))
    }
    gifts = (
        OffRegistryGift.objects.filter(registry__event_date__lte=cutoff)
        .filter(privacy.not_erased())
        .update(**privacy.BLANK)
    )
    return {**claims, "gifts": gifts}


@exporting_registries.register
def claims_part(export: RegistryExport) -> None:
    """Who reserved and pledged what, and the gifts bought elsewhere, where the spoiler setting shows it."""
    export.tables += ["reservations", "pledges", "gifts_bought_elsewhere"]
    shown = export.showing_all()
    for registry, entry in export.items.values():
        if registry.view == Registry.Spoilers.ALL:
            entry.update(reservations=[], pledges=[])
    for key, model, names in (
        ("reservations", Reservation, RESERVATION_FIELDS),
        ("pledges", Pledge, PLEDGE_FIELDS),
    ):
        for claim in model.objects.filter(item__registry__in=shown).order_by("created_at", "pk"):
            export.items[claim.item_id][1][key].append(fields_of(claim, names))
    for registry in shown:
        export.rows[registry.pk]["gifts_bought_elsewhere"] = []
    for gift in OffRegistryGift.objects.filter(registry__in=shown).order_by("created_at", "pk"):
        export.rows[gift.registry_id]["gifts_bought_elsewhere"].append(fields_of(gift, GIFT_FIELDS))


post_save.connect(
    count_created("reservations"),
    sender=Reservation,
    weak=False,
    dispatch_uid="metrics.reservations.Reservation",
)
