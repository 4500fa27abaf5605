"""Checkout pages (upgrade, return, cancel), the couple's orders page, and the IPN endpoint."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.db import DataError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from paypal.standard.forms import PayPalPaymentsForm
from paypal.standard.ipn import views as paypal_views

from apps.accounts.decorators import verified_required
from apps.core.emails import absolute
from apps.registries.access import registry_for_owner

from . import limits, offers, services
from .models import FREE_SLUG, Order, Plan
from .postback import PostbackUnavailable

logger = logging.getLogger(__name__)

DOWNGRADE_RULE = _(
    "If a payment is refunded or reversed, the registry goes back to the Free plan and keeps "
    "everything: items over the free limit stay visible to guests and can still be reserved, "
    "but you cannot add new items until you are under the limit again or upgrade again, "
    "and the paid features (your own cover photo, the CSV export) switch off."
)


@require_GET
@verified_required
def upgrade(request: HttpRequest, slug: str) -> HttpResponse:
    """Open (or reuse) a pending order and show the button that takes the couple to PayPal."""
    registry = registry_for_owner(request, slug)
    current = limits.current_plan(registry)
    # The plans on sale and Free (what the features list "everything in Free, and"), in one query.
    rows = list(Plan.objects.filter(Q(slug=FREE_SLUG) | Q(pk__in=Plan.objects.purchasable().values("pk"))))
    plans = sorted((p for p in rows if p.slug != FREE_SLUG), key=lambda p: (p.price, p.pk))
    wanted = request.GET.get("plan", "")
    plan = next((p for p in plans if p.slug == wanted), plans[0] if plans else None)
    context = {"registry": registry, "current": current, "plans": plans, "plan": plan}
    if plan is not None:
        free = offers.free_plan(rows)
        context.update(free=offers.free_offer(free), offer=offers.paid_offer(plan, free))
    if plan is None or current.price >= plan.price:
        return render(request, "payments/upgrade.html", context)

    order = services.open_order(registry, plan, request.user)
    form = PayPalPaymentsForm(
        initial={
            "business": settings.PAYPAL_RECEIVER_EMAIL,
            "amount": f"{order.amount:.2f}",
            "currency_code": order.currency,
            "item_name": f"Whisper {plan.name} — {registry.title}"[:127],
            "invoice": order.invoice,
            "notify_url": absolute(reverse("payments:ipn")),
            "return": absolute(reverse("payments:return", args=[registry.slug])),
            "cancel_return": absolute(reverse("payments:cancel", args=[registry.slug])),
            "rm": "1",  # come back with a plain GET: no POST, so no CSRF or SameSite trouble
        }
    )
    context.update(order=order, form=form)
    return render(request, "payments/upgrade.html", context)


# PayPal sends the buyer back here; with rm=1 that is a GET, but a POST (other
# PayPal account settings) must not fail on CSRF: the page changes nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@verified_required
def payment_return(request: HttpRequest, slug: str) -> HttpResponse:
    registry = registry_for_owner(request, slug)
    # Opened directly (a bookmark, a guess) there is nothing to thank for: no order awaits PayPal or was paid.
    # The IPN may come before the couple does, so a paid order counts too.
    found = registry.orders.filter(status__in=[Order.Status.PENDING, Order.Status.PAID]).exists()
    return render(request, "payments/return.html", {"registry": registry, "found": found})


@require_GET
@verified_required
def payment_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    registry = registry_for_owner(request, slug)
    return render(request, "payments/cancel.html", {"registry": registry})


@require_GET
@verified_required
def orders(request: HttpRequest, slug: str) -> HttpResponse:
    """The registry's orders and their state, its plan, and what a refund would mean."""
    registry = registry_for_owner(request, slug)
    plan = limits.current_plan(registry)
    item_count = registry.items.count()
    context = {
        "registry": registry,
        "plan": plan,
        "item_count": item_count,
        "over_limit": plan.max_items is not None and item_count >= plan.max_items,
        "orders": Order.objects.filter(registry=registry).select_related("plan"),
        "downgrade_rule": DOWNGRADE_RULE,
    }
    with registry.local_time():  # the orders' dates on the couple's clock
        return render(request, "payments/orders.html", context)


@csrf_exempt
@require_POST
def ipn(request: HttpRequest) -> HttpResponse:
    """django-paypal's IPN view, minus its 500s: every IPN posted here gets a decision.

    django-paypal asserts the content type, decodes the body as ASCII and
    stores what it parsed; a body it cannot take (the wrong type, not ASCII, a
    NUL byte, which PostgreSQL cannot store, or anything else it or the
    database choke on) is stored here instead, flagged and rejected, and
    answered with a 4xx. When PayPal's verification endpoint does not answer,
    nothing has been stored and a 503 makes PayPal send the IPN again later.
    """
    refusal = _unreadable(request)
    if refusal is None:
        try:
            with transaction.atomic():  # nothing of an IPN that failed half-way is kept
                return paypal_views.ipn(request)
        except PostbackUnavailable:
            return _plain("Could not verify this IPN with PayPal just now; please send it again.", status=503)
        # Too big, too many fields, a charset Django refuses or cannot decode, a value PostgreSQL refuses…
        except (ValueError, DataError, BadRequest, SuspiciousOperation) as exc:
            logger.warning("IPN refused: django-paypal could not take it: %r", exc)
            refusal = 400, f"Could not take this IPN: {exc}"
    status, reason = refusal
    services.reject_unreadable_ipn(_body(request), request.META.get("REMOTE_ADDR"), reason)
    return _plain(reason, status=status)


def _unreadable(request: HttpRequest) -> tuple[int, str] | None:
    """Why django-paypal cannot take this request's body (a status and a reason), or None."""
    if request.content_type != "application/x-www-form-urlencoded":
        return 415, "IPNs are posted as application/x-www-form-urlencoded."
    body = _body(request)  # one too big to read is refused when django-paypal reads it
    if not body.isascii() or b"\x00" in body:
        return 400, "An IPN body is URL-encoded ASCII, without NUL bytes."
    return None


def _body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        return b""


def _plain(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
