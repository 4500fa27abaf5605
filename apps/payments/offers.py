"""What each plan includes, as every page says it: the one list the pricing page, the FAQ
and the upgrade page read, so they cannot disagree.

The decision (issue 15): Free is up to 30 gifts, funds and group gifts, the
passphrase, a shipping address, the share card and QR code, and the designed
headers. Premium adds unlimited gifts, your own cover photo, the CSV
spreadsheet export and no Whisper branding. Which switches a plan unlocks is
read from the Plan table (what the services enforce, ``limits``); the things
every plan includes are listed here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .limits import FREE_DEFAULTS
from .models import FREE_SLUG, Plan

# Shown for each switch a plan unlocks, in this order.
FEATURE_LABELS = {
    "group_gifts": gettext_lazy("Funds and group gifts — guests give any amount, straight to you"),
    "passphrase": gettext_lazy("Passphrase protection"),
    "cover_photo": gettext_lazy("Your own cover photo"),
    "csv_export": gettext_lazy("The CSV spreadsheet export of everything guests gave"),
}
# What every plan includes that no switch governs.
EVERY_PLAN = [
    gettext_lazy("Unlisted or public registry"),
    gettext_lazy("Guest reservations — no account needed"),
    gettext_lazy("Add gifts from any shop by link"),
    gettext_lazy("Spoiler settings, and a partner as co-owner"),
    gettext_lazy("A shipping address, shown only to guests who give"),
    gettext_lazy("A share card with a QR code for your invitations"),
    gettext_lazy("Designed headers for your registry"),
]
NO_BRANDING = gettext_lazy("No Whisper branding in your guests’ emails")


@dataclass
class PlanOffer:
    """A plan as the pages show it: its features (for a paid plan, what it adds to Free)."""

    plan: Plan
    features: list[str]

    @property
    def price(self) -> str:
        return price_label(self.plan.price)


def price_label(price: Decimal) -> str:
    """A price without needless cents.

    >>> price_label(Decimal("39.00")), price_label(Decimal("39.50")), price_label(Decimal("1250"))
    ('39', '39.50', '1,250')
    """
    return f"{price:,.0f}" if price == price.to_integral_value() else f"{price:,.2f}"


def _items(plan: Plan) -> str:
    if plan.is_unlimited:
        return _("Unlimited gifts")
    return ngettext("Up to %(count)s gift", "Up to %(count)s gifts", plan.max_items) % {
        "count": plan.max_items
    }


def free_offer(free: Plan) -> PlanOffer:
    features = [_items(free), *(str(label) for f, label in FEATURE_LABELS.items() if free.allows(f))]
    return PlanOffer(free, features + [str(label) for label in EVERY_PLAN])


def paid_offer(plan: Plan, free: Plan) -> PlanOffer:
    """``plan`` as "everything in Free, and": only what it adds."""
    features = [_items(plan)] if plan.max_items != free.max_items else []
    features += [str(label) for f, label in FEATURE_LABELS.items() if plan.allows(f) and not free.allows(f)]
    if free.whisper_branding and not plan.whisper_branding:
        features.append(str(NO_BRANDING))
    return PlanOffer(plan, features)


def free_plan(rows: list[Plan] | None = None) -> Plan:
    rows = rows if rows is not None else list(Plan.objects.filter(slug=FREE_SLUG))
    return next((p for p in rows if p.slug == FREE_SLUG), None) or Plan(**FREE_DEFAULTS)


def offers() -> tuple[PlanOffer, list[PlanOffer]]:
    """Free, and the plans a couple can buy (cheapest first), in one query."""
    rows = list(Plan.objects.filter(Q(slug=FREE_SLUG) | Q(active=True, price__gt=0)).order_by("price", "id"))
    free = free_plan(rows)
    paid = [paid_offer(p, free) for p in rows if p.slug != FREE_SLUG and p.price > 0]
    return free_offer(free), paid
