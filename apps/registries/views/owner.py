"""The couple's side of a registry: their list, the settings form, the dashboard.

The dashboard shows the registry, its gifts and its plan; the apps above add
their panels to it (``apps.registries.hooks.dashboard_panels``). Anyone who is
not among a registry's owners gets a 404 (``access.registry_for_owner``).
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts.decorators import verified_required

from .. import plans, services
from ..access import registry_for_owner
from ..forms import InviteForm, RegistryForm
from ..hooks import dashboard_panels
from ..models import Registry


@verified_required
def mine(request: HttpRequest) -> HttpResponse:
    registries = list(Registry.objects.owned_by(request.user).annotate(item_count=Count("items")))
    current = plans.plans_for(registries)
    for registry in registries:
        registry.plan = current[registry.pk]
    return render(request, "registries/mine.html", {"registries": registries})


@verified_required
def create(request: HttpRequest) -> HttpResponse:
    # A new registry is on Free; the pricing page tells what an upgrade adds.
    done = _("Your registry is ready. Now add the gifts you'd love.")
    return _settings_form(request, Registry(), reverse("pages:pricing"), done)


@verified_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    registry = registry_for_owner(request, slug)
    upgrade_url = reverse("payments:upgrade", args=[registry.slug])
    return _settings_form(request, registry, upgrade_url, _("Your changes are saved."))


def _settings_form(request: HttpRequest, registry: Registry, upgrade_url: str, done: str) -> HttpResponse:
    """The settings form of ``registry`` (a new one, unsaved); a valid POST creates or updates it."""
    # The form changes the instance while validating; keep what the page is about.
    saved = {"slug": registry.slug, "title": registry.title} if registry.pk else None
    form = RegistryForm(
        request.POST or None,
        request.FILES or None,
        instance=registry,
        cover_photo_allowed=plans.allows(registry, "cover_photo"),
        upgrade_url=upgrade_url,
    )
    if request.method == "POST" and form.is_valid():
        passphrase = form.cleaned_data["passphrase"]
        try:
            if registry.pk:
                services.update_registry(registry, passphrase=passphrase)
            else:
                registry = services.create_registry(registry, owner=request.user, passphrase=passphrase)
        except services.SlugTaken as exc:
            form.add_error("slug", str(exc))
        except plans.PlanLimitReached as exc:
            form.add_error("cover_photo", str(exc))
        else:
            messages.success(request, done)
            return redirect("registries:dashboard", registry.slug)
    return render(request, "registries/form.html", {"form": form, "registry": saved})


@verified_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    registry = registry_for_owner(request, slug)
    view = registry.owner_view()
    items = list(registry.items.all())
    summary = {"items": len(items), "hidden": sum(item.hidden for item in items)}
    if view != Registry.Spoilers.NONE:
        summary["units"] = sum(item.reserved_count for item in items)
    context = {
        "registry": registry,
        # One query; the items it counts against are the list above.
        "plan": plans.current_plan(registry),
        "items": items,
        "view": view,
        "show_counts": view != Registry.Spoilers.NONE,
        "show_reservations": view == Registry.Spoilers.ALL,
        "summary": summary,
        "reveal_date": registry.reveal_date(),
        "owners": list(registry.owners.order_by("date_joined", "pk")),
        "invite_form": InviteForm(),
    }
    with registry.local_time():  # every date and time on the couple's clock
        # The claims and thank-you list, the importer, mail problems: each a fixed number of queries.
        dashboard_panels(request, context)
        return render(request, "registries/dashboard.html", context)
