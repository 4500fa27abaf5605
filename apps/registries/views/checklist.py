"""The dashboard's thank-you checklist beyond reservations: pledges toward
group gifts and gifts bought off the list, the owners, and the importer.

``dashboard_extras`` adds them to the dashboard (a fixed number of queries,
whatever the number of gifts); the spoiler setting applies to them exactly
as to reservations: names and messages only when it shows everything.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.decorators import verified_required
from apps.importer.views import bookmarklet
from apps.reservations.models import OffRegistryGift, Pledge
from apps.reservations.pledges import money

from ..models import Registry
from ..partner_forms import InviteForm


def dashboard_extras(request: HttpRequest, registry: Registry, view: str) -> dict:
    """Context for the dashboard's owners panel, importer panel and extended checklist."""
    extras: dict = {
        "owners": list(registry.owners.order_by("date_joined", "pk")),
        "invite_form": InviteForm(),
        "bookmarklet": bookmarklet(request, registry),
        "pledges": [],
        "gifts_elsewhere": [],
    }
    if view == Registry.Spoilers.ALL:
        pledges = list(
            Pledge.objects.active()
            .filter(item__registry=registry)
            .select_related("item")
            .order_by("-created_at")
        )
        for pledge in pledges:
            pledge.amount_display = money(pledge.amount, pledge.item.currency)
        extras["pledges"] = pledges
        extras["gifts_elsewhere"] = list(registry.off_registry_gifts.order_by("-created_at"))
    elif view == Registry.Spoilers.COUNTS:
        extras["gifts_elsewhere_count"] = registry.off_registry_gifts.count()
    return extras


def _toggle_thanked(request: HttpRequest, slug: str, rows: QuerySet, via: str, anchor: str) -> HttpResponse:
    """Tick a guest off the thank-you list (or put them back), as the spoiler setting allows.

    ``via`` is the lookup from a row to its registry.
    """
    registry = get_object_or_404(Registry.objects.owned_by(request.user), slug=slug)
    if registry.owner_view() != Registry.Spoilers.ALL:
        messages.info(request, _("Your spoiler setting keeps who gave what hidden for now."))
        return redirect("registries:dashboard", registry.slug)
    row: Model = get_object_or_404(rows, **{via: registry})
    row.thanked = not row.thanked
    row.save(update_fields=["thanked"])
    if row.thanked:
        messages.success(request, _("Ticked off: you thanked %(name)s.") % {"name": row.guest_name})
    else:
        messages.info(request, _("%(name)s is back on your thank-you list.") % {"name": row.guest_name})
    return redirect(reverse("registries:dashboard", args=[registry.slug]) + anchor)


@verified_required
@require_POST
def pledge_thanked(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    rows = Pledge.objects.active().filter(pk=pk)
    return _toggle_thanked(request, slug, rows, "item__registry", "#pledges")


@verified_required
@require_POST
def gift_thanked(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    rows = OffRegistryGift.objects.filter(pk=pk)
    return _toggle_thanked(request, slug, rows, "registry", "#gifts-elsewhere")
