"""The couple's side of their guests' claims: the thank-you checklist and the guest list as CSV.

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

from . import thanks
from .forms import CoupleGiftForm
from .models import OffRegistryGift, Pledge, Reservation


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
def export_csv(request: HttpRequest, slug: str) -> HttpResponse:
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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{registry.slug}-reservations.csv"'
    response.write("\ufeff")  # lets spreadsheet apps recognise UTF-8
    # Each column: its title, and its value for one reservation.
    columns = [
        (_("Item"), lambda r: csv_safe(r.item.title)),
        (_("Guest name"), lambda r: csv_safe(r.guest_name)),
        (_("Email"), lambda r: csv_safe(r.guest_email)),
        (_("Quantity"), lambda r: r.quantity),
        (_("Message"), lambda r: csv_safe(r.message)),
        # On the couple's clock, as everything they see.
        (_("Reserved at"), lambda r: registry.local_now(r.created_at).strftime("%Y-%m-%d %H:%M")),
        (_("Bought"), lambda r: _("yes") if r.bought else _("no")),
        (_("Thanked"), lambda r: _("yes") if r.thanked else _("no")),
    ]
    writer = csv.writer(response)
    writer.writerow([title for title, _value in columns])
    writer.writerows([value(r) for _title, value in columns] for r in reservations)
    return response
