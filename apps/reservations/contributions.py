"""What the reservations app contributes to the apps below it.

The dashboard's claims panel and thank-you list (``apps.registries.hooks``),
what guests gave in an account's export (``apps.registries.export``), and
erasing guests' details (``apps.privacy``); and each new reservation is
counted (``apps.metrics``).

Registered by ``ReservationsConfig.ready()`` (see ``apps.core.hooks``).
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.db.models.signals import post_save
from django.http import HttpRequest
from django.utils import timezone

from apps.core.links import pk_url
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
# What the dashboard shows of a reservation it lists (its rows, what is new): not the dates
# and keys it never shows, which cost as much to read as the rest.
DASHBOARD_RESERVATION_FIELDS = [*GUEST, "item", "quantity", "message", "bought_at", "thanked", "created_at"]
# The claims the dashboard lists at first (the rest behind "show all"), and what is new at most.
CLAIMS_SHOWN = 25
NEWS_SHOWN = 8


class _Light(NamedTuple):
    """A reservation as the dashboard counts it: read as a tuple, never as a model.

    ``new``: made since the owner's last visit (asked of the database: no date is read).
    """

    pk: int
    item_id: int | None
    new: bool
    bought: bool
    thanked: bool
    guest_email: str


@dashboard_panels.register
def claims_panel(request: HttpRequest, context: dict) -> None:
    """Who reserved and pledged what, what is new, and the gifts bought elsewhere, as the spoilers allow.

    Sets ``news`` (what came in since ``last_visit``, newest first, at most
    ``NEWS_SHOWN``), ``news_count``, ``thanks_due``, ``claims_item`` (the
    gift of ``?claims=<id>``), ``shown_reservations`` and ``shown_pledges``
    (the newest ``CLAIMS_SHOWN``, all of them with ``?claims=all``, or that
    gift's), ``reservations_count``, ``pledges``, ``gifts_elsewhere`` and
    ``guests_to_thank``.

    A fixed number of queries whatever the number of claims. Every active
    reservation is read as a tuple for the counts; only those the page
    lists are read whole. Names and messages only when the setting shows
    everything; with "counts only", the number of gifts bought elsewhere.
    """
    registry, view = context["registry"], context["view"]
    context.update(
        shown_reservations=[],
        pledges=[],
        shown_pledges=[],
        gifts_elsewhere=[],
        news=[],
        news_count=0,
        thanks_due=0,
        claims_item=None,
        reservations_count=0,
    )
    if view == Registry.Spoilers.COUNTS:
        context["gifts_elsewhere_count"] = registry.off_registry_gifts.count()
    if view != Registry.Spoilers.ALL:
        return
    since = context.get("last_visit")
    active = Reservation.objects.active().filter(item__registry=registry).order_by("-created_at", "-pk")
    light = [
        _Light(*row)
        for row in active.annotate(
            is_new=ExpressionWrapper(Q(created_at__gt=since) if since else Value(True), BooleanField()),
            is_bought=ExpressionWrapper(Q(bought_at__isnull=False), BooleanField()),
        ).values_list("pk", "item_id", "is_new", "is_bought", "thanked", "guest_email")
    ]
    pledges = list(Pledge.objects.active().filter(item__registry=registry).order_by("-created_at", "-pk"))
    gifts_elsewhere = list(registry.off_registry_gifts.order_by("-created_at"))
    items = context.get("items", [])

    # What the page lists: the newest few, all of them (?claims=all), or one gift's (?claims=<id>).
    asked, limit, claims_item = request.GET.get("claims", ""), CLAIMS_SHOWN, None
    if asked.isdigit():
        claims_item = next((item for item in items if item.pk == int(asked)), None)
    listed, listed_pledges = light, pledges
    if claims_item:
        listed = [r for r in light if r.item_id == claims_item.pk]
        listed_pledges = [p for p in pledges if p.item_id == claims_item.pk]
    if claims_item or asked == "all":
        limit = None
    listed, listed_pledges = listed[:limit], listed_pledges[:limit]
    # What came in since the last visit: the newest reservations and pledges together.
    new_reservations = [r for r in light if r.new]
    new_pledges = [p for p in pledges if since is None or p.created_at > since]
    # Whole rows for the reservations listed or maybe new (one query), with their gifts from ``items``.
    wanted = {r.pk for r in listed} | {r.pk for r in new_reservations[:NEWS_SHOWN]}
    whole = (
        {r.pk: r for r in Reservation.objects.filter(pk__in=wanted).only(*DASHBOARD_RESERVATION_FIELDS)}
        if wanted
        else {}
    )
    _with_gifts([*whole.values(), *pledges], items)
    for pledge in pledges:
        pledge.amount_display = money(pledge.amount, pledge.item.currency)
    # The thank-you toggles' addresses, each pattern reversed once.
    for rows, name in (
        (pledges, "reservations:pledge_thanked"),
        (gifts_elsewhere, "reservations:gift_thanked"),
        (whole.values(), "reservations:thanked"),
    ):
        thanked_url = pk_url(name, registry.slug)
        for row in rows:
            row.thanked_url = thanked_url(row.pk)
    # (A reservation cancelled between the two reads is simply left out.)
    news = sorted(
        [*(whole[r.pk] for r in new_reservations[:NEWS_SHOWN] if r.pk in whole), *new_pledges[:NEWS_SHOWN]],
        key=lambda claim: claim.created_at,
        reverse=True,
    )

    context["summary"].update(
        reservations=len(light),
        bought=sum(r.bought for r in light),
        thanked=sum(r.thanked for r in light),
    )
    context.update(
        shown_reservations=[whole[r.pk] for r in listed if r.pk in whole],
        pledges=pledges,
        shown_pledges=listed_pledges,
        claims_item=claims_item,
        reservations_count=len(light),
        gifts_elsewhere=gifts_elsewhere,
        news=news[:NEWS_SHOWN],
        news_count=len(new_reservations) + len(new_pledges),
        thanks_due=sum(not c.thanked for c in [*light, *pledges, *gifts_elsewhere]),
    )
    # The thank-you list's panel: how many guests (by email, as the list groups them) are still to thank.
    to_thank = {thanks.guest_key(c.guest_email) for c in [*light, *pledges] if not c.thanked}
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
