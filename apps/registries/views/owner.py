"""The couple's side of a registry: their list, the settings form, the dashboard.

Every view needs a verified account, and a registry is reached only through
``apps.registries.access.registry_for_owner``: anyone who is not among its owners gets a 404.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.decorators import verified_required
from apps.notifications import services as notifications
from apps.payments import limits
from apps.reservations.models import Reservation

from .. import services
from ..access import registry_for_owner
from ..forms import RegistryForm
from ..models import Registry
from . import checklist

# Spreadsheet apps run cells starting with these as formulas.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@verified_required
def mine(request: HttpRequest) -> HttpResponse:
    registries = list(Registry.objects.owned_by(request.user).annotate(item_count=Count("items")))
    plans = limits.plans_for(registries)
    for registry in registries:
        registry.plan = plans[registry.pk]
    return render(request, "registries/mine.html", {"registries": registries})


@verified_required
def create(request: HttpRequest) -> HttpResponse:
    # A new registry is on Free; the pricing page tells what an upgrade adds.
    form = RegistryForm(
        request.POST or None,
        request.FILES or None,
        cover_photo_allowed=limits.allows(Registry(), "cover_photo"),
        upgrade_url=reverse("pages:pricing"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            registry = services.create_registry(
                form.save(commit=False), owner=request.user, passphrase=form.cleaned_data["passphrase"]
            )
        except services.SlugTaken as exc:
            form.add_error("slug", str(exc))
        except limits.PlanLimitReached as exc:
            form.add_error("cover_photo", str(exc))
        else:
            messages.success(request, _("Your registry is ready. Now add the gifts you'd love."))
            return redirect("registries:dashboard", registry.slug)
    return render(request, "registries/form.html", {"form": form, "registry": None})


@verified_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    registry = registry_for_owner(request, slug)
    # The form changes the instance while validating; keep what the page is about.
    saved = {"slug": registry.slug, "title": registry.title}
    form = RegistryForm(
        request.POST or None,
        request.FILES or None,
        instance=registry,
        cover_photo_allowed=limits.allows(registry, "cover_photo"),
        upgrade_url=reverse("payments:upgrade", args=[registry.slug]),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_registry(registry, passphrase=form.cleaned_data["passphrase"])
        except services.SlugTaken as exc:
            form.add_error("slug", str(exc))
        except limits.PlanLimitReached as exc:
            form.add_error("cover_photo", str(exc))
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("registries:dashboard", registry.slug)
    return render(request, "registries/form.html", {"form": form, "registry": saved})


@verified_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    registry = registry_for_owner(request, slug)
    view = registry.owner_view()
    items = registry.items.all()
    if view == Registry.Spoilers.ALL:
        active = Reservation.objects.active().order_by("created_at")
        items = items.prefetch_related(Prefetch("reservations", queryset=active))
    items = list(items)

    summary = {"items": len(items), "hidden": sum(item.hidden for item in items)}
    reservations: list[Reservation] = []
    if view != Registry.Spoilers.NONE:
        summary["units"] = sum(item.reserved_count for item in items)
    if view == Registry.Spoilers.ALL:
        # Prefetching already set reservation.item: no query per row.
        reservations = [r for item in items for r in item.reservations.all()]
        reservations.sort(key=lambda r: r.created_at, reverse=True)
        summary["reservations"] = len(reservations)
        summary["bought"] = sum(r.bought for r in reservations)
        summary["thanked"] = sum(r.thanked for r in reservations)
        # reservation.mail_problem: why the guest gets no mail (one query).
        notifications.note_mail_problems(reservations)

    context = {
        "registry": registry,
        # One query; the items it counts against are the list above.
        "plan": limits.current_plan(registry),
        "items": items,
        "view": view,
        "show_counts": view != Registry.Spoilers.NONE,
        "show_reservations": view == Registry.Spoilers.ALL,
        "reservations": reservations,
        "summary": summary,
        "reveal_date": registry.reveal_date(),
    }
    # Pledges, gifts bought elsewhere, the owners and the importer (views/checklist.py).
    context.update(checklist.dashboard_extras(request, registry, view))
    return render(request, "registries/dashboard.html", context)


@verified_required
@require_POST
def toggle_thanked(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    registry = registry_for_owner(request, slug)
    if registry.owner_view() != Registry.Spoilers.ALL:
        messages.info(request, _("Your spoiler setting keeps reservations hidden for now."))
        return redirect("registries:dashboard", registry.slug)
    reservation = get_object_or_404(Reservation.objects.active(), pk=pk, item__registry=registry)
    reservation.thanked = not reservation.thanked
    reservation.save(update_fields=["thanked", "updated_at"])
    if reservation.thanked:
        messages.success(request, _("Ticked off: you thanked %(name)s.") % {"name": reservation.guest_name})
    else:
        messages.info(
            request, _("%(name)s is back on your thank-you list.") % {"name": reservation.guest_name}
        )
    return redirect(reverse("registries:dashboard", args=[registry.slug]) + "#reservations")


@verified_required
def export_csv(request: HttpRequest, slug: str) -> HttpResponse:
    registry = registry_for_owner(request, slug)
    try:
        limits.ensure_allows(registry, "csv_export")
    except limits.PlanLimitReached as exc:
        messages.info(request, str(exc))
        return redirect(reverse("registries:dashboard", args=[registry.slug]) + "#plan")
    if registry.owner_view() != Registry.Spoilers.ALL:
        messages.info(
            request,
            _("The export lists who reserved what, so it opens once your spoiler setting shows everything."),
        )
        return redirect("registries:dashboard", registry.slug)
    reservations = (
        Reservation.objects.active()
        .filter(item__registry=registry)
        .select_related("item")
        .order_by("item__position", "item_id", "created_at")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{registry.slug}-reservations.csv"'
    response.write("\ufeff")  # lets spreadsheet apps recognise UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Item"),
            _("Guest name"),
            _("Email"),
            _("Quantity"),
            _("Message"),
            _("Reserved at"),
            _("Bought"),
            _("Thanked"),
        ]
    )
    for r in reservations:
        writer.writerow(
            [
                csv_safe(r.item.title),
                csv_safe(r.guest_name),
                csv_safe(r.guest_email),
                r.quantity,
                csv_safe(r.message),
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                _("yes") if r.bought else _("no"),
                _("yes") if r.thanked else _("no"),
            ]
        )
    return response


def csv_safe(value: str) -> str:
    """``value``, defused for spreadsheets: a leading formula character gets a quote.

    >>> csv_safe("=HYPERLINK(\\"http://evil\\")")
    '\\'=HYPERLINK("http://evil")'
    >>> csv_safe("-2+3"), csv_safe("@SUM(A1)"), csv_safe("Teapot")
    ("'-2+3", "'@SUM(A1)", 'Teapot')
    """
    if value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value
