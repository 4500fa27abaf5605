"""The marketing pages: home, pricing and FAQ.

They are pure presentation: no database queries and no forms besides the
registry search box, which GETs ``registries:search``. Whether the home page
links to the demo registry is configuration (``WHISPER_DEMO_REGISTRY``, set
where ``manage.py seed_demo`` loads it, as ``make run`` does), so that the
page never has to ask the database.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

# What the plans include; the pricing page and the FAQ both quote them.
FREE_ITEM_LIMIT = 30
PREMIUM_PRICE = "39"
PREMIUM_CURRENCY = "USD"


def _plans() -> dict:
    return {
        "free_item_limit": FREE_ITEM_LIMIT,
        "premium_price": PREMIUM_PRICE,
        "premium_currency": PREMIUM_CURRENCY,
    }


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what Whisper is, how it works, a registry search box."""
    demo_slug = settings.WHISPER_DEMO_REGISTRY
    return render(request, "pages/home.html", {"demo_slug": demo_slug, **_plans()})


@require_safe
def pricing(request: HttpRequest) -> HttpResponse:
    """Free and Premium, side by side."""
    return render(request, "pages/pricing.html", _plans())


@require_safe
def faq(request: HttpRequest) -> HttpResponse:
    """Questions couples and guests ask before they trust us with their day."""
    context = {"token_days": settings.WHISPER_TOKEN_DAYS_AFTER_EVENT, **_plans()}
    return render(request, "pages/faq.html", context)
