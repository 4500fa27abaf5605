"""The marketing pages: home, pricing and FAQ.

What the plans cost and include is read from the Plan table (one query) through
``apps.payments.offers``, the one list the upgrade page reads too, so the
pages always quote what the admin has set and what the services enforce.
Visitors without a session get them from the cache in front (nginx, a CDN:
``apps.core.cache.shared_with_guests``). Whether the home page
links to the demo registry is configuration (``WHISPER_DEMO_REGISTRY``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.core.cache import shared_with_guests
from apps.payments.offers import offers


def _plans() -> dict:
    free, paid = offers()
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


@shared_with_guests
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what Whisper is, how it works, a registry search box."""
    demo_slug = settings.WHISPER_DEMO_REGISTRY
    return render(request, "pages/home.html", {"demo_slug": demo_slug, **_plans()})


@shared_with_guests
@require_safe
def pricing(request: HttpRequest) -> HttpResponse:
    """Free and the paid plans, side by side."""
    return render(request, "pages/pricing.html", _plans())


@shared_with_guests
@require_safe
def faq(request: HttpRequest) -> HttpResponse:
    """Questions couples and guests ask before they trust us with their day."""
    context = {"token_days": settings.WHISPER_TOKEN_DAYS_AFTER_EVENT, **_plans()}
    return render(request, "pages/faq.html", context)
