"""The marketing pages: home, pricing and FAQ.

What the plans cost and include is read from the Plan table (one query), so
the pages always quote what the admin has set and what the services enforce;
anonymous visitors get them from the site-wide cache. Whether the home page
links to the demo registry is configuration (``WHISPER_DEMO_REGISTRY``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from apps.payments.limits import FREE_DEFAULTS
from apps.payments.models import FREE_SLUG, Plan

# Shown for each feature a plan unlocks, in this order.
FEATURE_LABELS = {
    "passphrase": gettext_lazy("Passphrase protection"),
    "cover_photo": gettext_lazy("A cover photo on your registry"),
    "csv_export": gettext_lazy("CSV export of who reserved what"),
    "group_gifts": gettext_lazy("Group gifts — guests chip in together"),
}


@dataclass
class PlanOffer:
    """A plan as the marketing pages show it."""

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


def _offers() -> tuple[PlanOffer, list[PlanOffer]]:
    """Free, and the plans a couple can buy (cheapest first), in one query."""
    rows = list(Plan.objects.filter(Q(slug=FREE_SLUG) | Q(active=True, price__gt=0)).order_by("price", "id"))
    free = next((p for p in rows if p.slug == FREE_SLUG), None) or Plan(**FREE_DEFAULTS)
    free_features = [_items(free), *(label for f, label in FEATURE_LABELS.items() if free.allows(f))]
    paid = []
    for plan in (p for p in rows if p.slug != FREE_SLUG and p.price > 0):
        # "Everything in Free, and": only what this plan adds.
        features = [_items(plan)] if plan.max_items != free.max_items else []
        features += [label for f, label in FEATURE_LABELS.items() if plan.allows(f) and not free.allows(f)]
        if free.whisper_branding and not plan.whisper_branding:
            features.append(_("No Whisper branding in your guests’ emails"))
        paid.append(PlanOffer(plan, features))
    return PlanOffer(free, free_features), paid


def _plans() -> dict:
    free, paid = _offers()
    first = paid[0] if paid else None
    return {
        "free": free,
        "paid_plans": paid,
        # Quoted in running text (home, FAQ): the free limit and the first upgrade.
        "free_item_limit": free.plan.max_items,
        "premium": first,
        "premium_price": first.price if first else "",
        "premium_currency": first.plan.currency if first else "",
    }


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what Whisper is, how it works, a registry search box."""
    demo_slug = settings.WHISPER_DEMO_REGISTRY
    return render(request, "pages/home.html", {"demo_slug": demo_slug, **_plans()})


@require_safe
def pricing(request: HttpRequest) -> HttpResponse:
    """Free and the paid plans, side by side."""
    return render(request, "pages/pricing.html", _plans())


@require_safe
def faq(request: HttpRequest) -> HttpResponse:
    """Questions couples and guests ask before they trust us with their day."""
    context = {"token_days": settings.WHISPER_TOKEN_DAYS_AFTER_EVENT, **_plans()}
    return render(request, "pages/faq.html", context)
