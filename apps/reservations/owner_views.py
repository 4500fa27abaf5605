"""The couple's side of their guests' claims: the thank-you checklist, the contributions to
their funds and group gifts, and everything as one CSV.

Reached from the dashboard (``registries:dashboard``), whose claims panel this
app contributes (``contributions.py``). Every view needs a verified account and
reaches the registry through ``apps.registries.access.registry_for_owner``; the
spoiler setting applies as on the dashboard: names only when it shows everything.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from apps.accounts.decorators import verified_required
from apps.core.spreadsheets import csv_safe
from apps.registries import plans
from apps.registries.access import registry_for_owner
from apps.registries.models import Registry

from . import funds, thanks
from .forms import CoupleGiftForm
from .models import OffRegistryGift, Pledge, Reservation
from .services import money


def _dashboard(registry: Registry, anchor: str = "") -> str:
    return reverse("registries:dashboard", args=[registry.slug]) + anchor


# What the couple ticks off, by kind: its rows, their lookup to the registry, the dashboard's section.
THANKABLE = {
    "reservation": (Reservation.objects.active(), "item__registry", "#reservations"),
    "pledge": (Pledge.objects.active(), "item__registry", "#pledges"),
    "gift": (OffRegistryGift.objects.all(), "registry", "#gifts-elsewhere"),
}


@verified_required
@require_POST
def thanked(request: HttpRequest, slug: str, pk: int, kind: str) -> HttpResponse:
    """Tick a guest off the thank-you list (or put them back), as the spoiler setting allows."""
    rows, via, anchor = THANKABLE[kind]
    registry = registry_for_owner(request, slug)
    if registry.owner_view() != Registry.Spoilers.ALL:
        messages.info(request, _("Your spoiler setting keeps who gave what hidden for now."))
        return redirect(_dashboard(registry))
    row: Model = get_object_or_404(rows, pk=pk, **{via: registry})
    row.thanked = not row.thanked
    row.thanked_at = timezone.now() if row.thanked else None
    row.save()
    if row.thanked:
        messages.success(request, _("Ticked off: you thanked %(name)s.") % {"name": row.guest_name})
    else:
        messages.info(request, _("%(name)s is back on your thank-you list.") % {"name": row.guest_name})
    return redirect(_dashboard(registry, anchor))


SPOILERS_HIDE_GUESTS = _lazy("Your spoiler setting keeps who gave what hidden for now.")


@verified_required
def thank_yous(request: HttpRequest, slug: str) -> HttpResponse:
    """One thank-you list per guest, across everything they gave; and a note of a gift off the list."""
    registry = registry_for_owner(request, slug)
    shown = registry.owner_view() == Registry.Spoilers.ALL
    form = CoupleGiftForm(request.POST if request.method == "POST" else None, registry=registry)
    if request.method == "POST":
        if not shown:
            messages.info(request, SPOILERS_HIDE_GUESTS)
            return redirect(_dashboard(registry))
        if form.is_valid():
            try:
                gift = thanks.record_gift(registry, form.save(commit=False))
            except thanks.GiftNotRecorded as exc:
                form.add_error("item", str(exc))
            else:
                messages.success(request, _("Noted: %(name)s gave you a gift.") % {"name": gift.guest_name})
                return redirect(reverse("reservations:thank_yous", args=[registry.slug]))
    context = {
        "registry": registry,
        "shown": shown,
        "guests": thanks.thank_you_list(registry) if shown else [],
        "form": form,
        "reveal_date": registry.reveal_date(),
    }
    return render(request, "reservations/thank_yous.html", context, status=400 if form.errors else 200)


@verified_required
@require_POST
def guest_thanked(request: HttpRequest, slug: str) -> HttpResponse:
    """Tick one guest off the thank-you list, everything they gave (or put them back)."""
    registry = registry_for_owner(request, slug)
    target = reverse("reservations:thank_yous", args=[registry.slug])
    if registry.owner_view() != Registry.Spoilers.ALL:
        messages.info(request, SPOILERS_HIDE_GUESTS)
        return redirect(_dashboard(registry))
    key = request.POST.get("guest", "").strip()[:254]
    thanked = request.POST.get("thanked") == "1"
    if not key or not thanks.set_guest_thanked(registry, key, thanked):
        messages.info(request, _("Nothing changed: that guest is already as you asked, or no longer here."))
    elif thanked:
        messages.success(request, _("Ticked off: you thanked them."))
    else:
        messages.info(request, _("They are back on your thank-you list."))
    return redirect(target)


@verified_required
@require_POST
def received(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The couple got a contribution sent by their own instructions (or, again, not yet)."""
    registry = registry_for_owner(request, slug)
    if registry.owner_view() != Registry.Spoilers.ALL:
        messages.info(request, _("Your spoiler setting keeps who gave what hidden for now."))
        return redirect("reservations:contributions", registry.slug)
    pledge = get_object_or_404(Pledge.objects.select_related("item"), pk=pk, item__registry=registry)
    try:
        pledge = funds.mark_received(pledge.pk, received=request.POST.get("received") != "0")
    except funds.NotPayable as exc:
        messages.error(request, str(exc))
    else:
        done = (
            _("Marked received: %(name)s's %(amount)s.")
            if pledge.settled
            else _("%(name)s's %(amount)s is marked not received yet.")
        )
        messages.success(
            request, done % {"name": pledge.guest_name, "amount": money(pledge.amount, pledge.item.currency)}
        )
    return redirect(reverse("reservations:contributions", args=[registry.slug]) + f"#pledge-{pk}")


@verified_required
def contributions(request: HttpRequest, slug: str) -> HttpResponse:
    """The couple's funds and group gifts, and each contribution, as the spoiler setting allows.

    Everything: who gave how much, its status (promised, waiting for PayPal,
    paid, received, refunded), thank-you and "received" toggles. Counts only:
    each fund's total and number of contributions. Nothing: the funds alone.
    Three queries, whatever the number of contributions.
    """
    registry = registry_for_owner(request, slug)
    view = registry.owner_view()
    gifts = list(registry.items.filter(group_gift=True).order_by("-kind", "position", "pk"))
    by_item: dict[int, list[Pledge]] = {item.pk: [] for item in gifts}
    if view == Registry.Spoilers.ALL:
        for pledge in Pledge.objects.filter(item__registry=registry).order_by("-created_at"):
            pledge.amount_display = money(pledge.amount, "")
            by_item.setdefault(pledge.item_id, []).append(pledge)
    counts: dict[int, int] = {}
    if view != Registry.Spoilers.NONE:
        for item_id in (
            Pledge.objects.active().filter(item__registry=registry).values_list("item_id", flat=True)
        ):
            counts[item_id] = counts.get(item_id, 0) + 1
    rows = [(item, by_item.get(item.pk, []), counts.get(item.pk, 0)) for item in gifts]
    context = {"registry": registry, "view": view, "rows": rows, "reveal_date": registry.reveal_date()}
    return render(request, "reservations/contributions.html", context)


@verified_required
def export_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """Everything the dashboard holds, as one spreadsheet: reservations, contributions, gifts off the list.

    One row per thing a guest gave, with its kind, the gift and its price and
    currency, the guest, the amount or quantity, the status and the thank-you.
    """
    registry = registry_for_owner(request, slug)
    try:
        plans.ensure_allows(registry, "csv_export")
    except plans.PlanLimitReached as exc:
        messages.info(request, str(exc))
        return redirect(_dashboard(registry, "#plan"))
    if registry.owner_view() != Registry.Spoilers.ALL:
        messages.info(
            request,
            _("The export lists who reserved what, so it opens once your spoiler setting shows everything."),
        )
        return redirect(_dashboard(registry))
    reservations = (
        Reservation.objects.active()
        .filter(item__registry=registry)
        .select_related("item")
        .order_by("item__position", "item_id", "created_at")
    )
    pledges = (
        Pledge.objects.filter(item__registry=registry)
        .select_related("item")
        .order_by("item__position", "item_id", "created_at")
    )
    elsewhere = registry.off_registry_gifts.order_by("created_at")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{registry.slug}-gifts.csv"'
    response.write("\ufeff")  # lets spreadsheet apps recognise UTF-8
    yes, no = _("yes"), _("no")

    def when(moment) -> str:
        return registry.local_now(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    def price(item) -> str:
        return f"{item.price:.2f}" if item.price is not None else ""

    header = [
        _("Kind"),
        _("Item"),
        _("Price or target"),
        _("Currency"),
        _("Guest name"),
        _("Email"),
        _("Quantity"),
        _("Amount"),
        _("Status"),
        _("Message"),
        _("Address for a thank-you card"),
        _("Given at"),
        _("Bought"),
        _("Thanked"),
    ]
    rows = []
    for r in reservations:
        rows.append(
            [
                _("Reservation"),
                csv_safe(r.item.title),
                price(r.item),
                r.item.currency,
                csv_safe(r.guest_name),
                csv_safe(r.guest_email),
                r.quantity,
                "",
                _("Reserved"),
                csv_safe(r.message),
                csv_safe(r.thank_you_address),
                when(r.created_at),
                yes if r.bought else no,
                yes if r.thanked else no,
            ]
        )
    for p in pledges:
        kind = _("Fund contribution") if p.item.is_fund else _("Group gift contribution")
        rows.append(
            [
                kind,
                csv_safe(p.item.title),
                price(p.item),
                p.item.currency,
                csv_safe(p.guest_name),
                csv_safe(p.guest_email),
                "",
                f"{p.amount:.2f}",
                p.state_label(),
                csv_safe(p.message),
                csv_safe(p.thank_you_address),
                when(p.created_at),
                "",
                yes if p.thanked else no,
            ]
        )
    for g in elsewhere:
        rows.append(
            [
                _("Gift off the list"),
                csv_safe(g.description),
                "",
                g.currency if g.amount is not None else "",
                csv_safe(g.guest_name),
                csv_safe(g.guest_email),
                "",
                f"{g.amount:.2f}" if g.amount is not None else "",
                _("Received"),
                csv_safe(g.message),
                "",
                when(g.created_at),
                "",
                yes if g.thanked else no,
            ]
        )
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
