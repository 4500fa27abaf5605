"""The couple's side of a registry: their list, the settings form, the dashboard.

The dashboard shows the registry, its gifts and its plan; the apps above add
their panels to it (``apps.registries.hooks.dashboard_panels``). Anyone who is
not among a registry's owners gets a 404 (``access.registry_for_owner``).
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.db.models import Count
from django.db.models.base import ModelState
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.decorators import verified_required
from apps.core.cache import FRAGMENT_SECONDS, code_version
from apps.core.links import link, pk_url

from .. import checklist, plans, services
from ..access import registry_for_owner
from ..forms import InviteForm, RegistryForm
from ..hooks import dashboard_claims_listed, dashboard_panels
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
    # The name given at signup is the first partner's.
    return _settings_form(request, Registry(partner_one=request.user.name), reverse("pages:pricing"), done)


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


# What no gift on the dashboard shows (nor the claims' and news' panels, which use these gifts).
UNSHOWN_ITEM_FIELDS = (
    "description",
    "note",
    "store_url",
    "image",
    "image_thumbnails",
    "created_at",
    "updated_at",
)


def _gifts(registry: Registry) -> list:
    """Every gift of ``registry``, in order, for the summary, the order and the page's cards (one query).

    Not the long texts, pictures and dates the list never shows (``UNSHOWN_ITEM_FIELDS``: deferred,
    read if ever asked for). The rows are read as tuples and made into gifts without
    ``Model.__init__``, which costs several times more than the query with 200 gifts (the gifts have
    no ``pre_init``/``post_init`` receivers to miss). They are kept as the registry's prefetched
    gifts, as ``prefetch_related("items")`` keeps them: the checklist's steps look at them too.
    """
    manager = registry.items
    model, db = manager.model, manager.db
    names = [f.attname for f in model._meta.concrete_fields if f.name not in UNSHOWN_ITEM_FIELDS]
    gifts = []
    for row in manager.values_list(*names):
        gift = model.__new__(model)
        gift.__dict__.update(zip(names, row, strict=True))
        gift._state = ModelState()
        gift._state.adding, gift._state.db = False, db
        gift._state.fields_cache["registry"] = registry  # (as the related manager's rows have it)
        gifts.append(gift)
    # What prefetch_related_objects() leaves: the registry's gifts as a queryset already evaluated.
    prefetched = manager.all()
    prefetched._result_cache, prefetched._prefetch_done = gifts, True
    registry._prefetched_objects_cache = {
        **getattr(registry, "_prefetched_objects_cache", {}),
        "items": prefetched,
    }
    return gifts


# Gifts shown on one page of the dashboard (the claims listed before "show all": apps.reservations'
# CLAIMS_SHOWN): with 200 gifts and 200 claims the page stays light on a phone.
GIFTS_PER_PAGE = 30


@verified_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    registry = registry_for_owner(request, slug)
    last_visit = services.record_visit(registry, request.user)
    view = registry.owner_view()
    items = _gifts(registry)
    summary = {"items": len(items), "hidden": sum(item.hidden for item in items)}
    if view != Registry.Spoilers.NONE:
        summary["units"] = sum(item.reserved_count for item in items)
    for index, item in enumerate(items):
        item.index = index
    page = _page(request, len(items))
    start, end = (page - 1) * GIFTS_PER_PAGE, page * GIFTS_PER_PAGE
    urls = {action: pk_url(f"items:{action}", registry.slug) for action in GIFT_ACTIONS}
    for item in items[start:end]:
        item.urls = {action: url(item.pk) for action, url in urls.items()}
        # The first gift cannot move up, the last one down.
        item.edges = f"{int(item.index == 0)}{int(item.index == len(items) - 1)}"
    owners = list(registry.owners.order_by("date_joined", "pk"))
    remove_url = pk_url("registries:remove_owner", registry.slug)
    for owner in owners:
        owner.remove_url = remove_url(owner.pk)
    context = {
        "registry": registry,
        # One query; the items it counts against are the list above.
        "plan": plans.current_plan(registry),
        "items": items,
        "page_items": items[start:end],
        # Dragging reorders this page; the gifts of the other pages keep their places.
        "order_before": ",".join(str(item.pk) for item in items[:start]),
        "order_after": ",".join(str(item.pk) for item in items[end:]),
        "page": page,
        "pages": range(1, (len(items) - 1) // GIFTS_PER_PAGE + 2),
        "view": view,
        "show_counts": view != Registry.Spoilers.NONE,
        "show_reservations": view == Registry.Spoilers.ALL,
        "summary": summary,
        "reveal_date": registry.reveal_date(),
        "owners": owners,
        "links": {key: link(name, registry.slug) for key, name in DASHBOARD_LINKS.items()},
        "catalog_url": link("javascript-catalog"),
        "invite_form": InviteForm(),
        "last_visit": last_visit,
        # Templates of other apps' panels (``hooks.dashboard_panels``), shown after the share panel.
        "panels": [],
        "fragment_seconds": FRAGMENT_SECONDS,
        "language": translation.get_language(),
        "code_version": code_version(),
        # What the page's cards show changes with one of these: their cached whole is keyed by it.
        "cards_version": hashlib.md5(
            " ".join(f"{item.pk}:{item.cache_version}:{item.edges}" for item in items[start:end]).encode(),
            usedforsecurity=False,
        ).hexdigest(),
    }
    with registry.local_time():  # every date and time on the couple's clock
        # The claims and thank-you list, the importer, mail problems: each a fixed number of queries.
        dashboard_panels(request, context)
        dashboard_claims_listed(request, context)  # what only a listed claim shows: one query at most
        context["claims_version"] = _claims_version(context["shown_reservations"])
        context["checklist"] = checklist.steps_for(registry) if not registry.checklist_dismissed else None
        return render(request, "registries/dashboard.html", context)


# The buttons of each gift on the dashboard: their addresses are ``item.urls.<action>``.
GIFT_ACTIONS = ("move", "edit", "hide", "delete")

# The registry's pages the dashboard links to: their addresses are ``links.<key>``.
DASHBOARD_LINKS = {
    "add": "items:add",
    "add_fund": "items:add_fund",
    "contributions": "reservations:contributions",
    "public": "registries:public",
    "edit": "registries:edit",
    "notifications": "notifications:settings",
    "export": "reservations:export",
    "upgrade": "payments:upgrade",
    "orders": "payments:orders",
    "reorder": "items:reorder",
    "dismiss_checklist": "registries:dismiss_checklist",
    "shared": "registries:shared",
    "share": "registries:share",
    "qr": "registries:qr",
    "invite": "registries:invite",
}


def _page(request: HttpRequest, count: int) -> int:
    """The page of gifts asked for (``?page=2``), within the pages there are."""
    try:
        page = int(request.GET.get("page", 1))
    except ValueError:
        page = 1
    return min(max(page, 1), max((count - 1) // GIFTS_PER_PAGE + 1, 1))


def _claims_version(reservations: list) -> str:
    """A digest of everything the listed reservations' rows show: their cached whole is keyed by it."""
    shown = [
        (
            r.pk,
            r.guest_name,
            r.guest_email,
            getattr(r, "mail_problem", ""),
            r.item.title if r.item else "",
            r.quantity,
            r.message,
            r.bought,
            r.thanked,
            r.thanked_url,
        )
        for r in reservations
    ]
    return hashlib.md5(repr(shown).encode(), usedforsecurity=False).hexdigest()


@verified_required
@require_POST
def shared(request: HttpRequest, slug: str) -> HttpResponse:
    """The couple copied their link (or asked for it): note it, and show the link to copy."""
    registry = registry_for_owner(request, slug)
    services.mark_shared(registry)
    link = request.build_absolute_uri(registry.get_absolute_url())
    messages.success(request, _("Your link, ready to share: %(link)s") % {"link": link})
    return redirect(reverse("registries:dashboard", args=[registry.slug]) + "#share")


@verified_required
@require_POST
def dismiss_checklist(request: HttpRequest, slug: str) -> HttpResponse:
    registry = registry_for_owner(request, slug)
    services.dismiss_checklist(registry)
    return redirect("registries:dashboard", registry.slug)
