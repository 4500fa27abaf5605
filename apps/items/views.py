"""The couple's pages for their gifts: add, edit, hide, delete, reorder.

Only a registry's owners reach these; anyone else gets a 404. The work
itself happens in ``apps.items.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.decorators import verified_required
from apps.registries.models import Registry

from . import services
from .forms import CATEGORY_LIST_ID, ItemForm
from .models import Item


def _registry_for_owner(request: HttpRequest, slug: str) -> Registry:
    """The registry at ``slug`` if the user owns it; 404 for everyone else."""
    return get_object_or_404(Registry.objects.owned_by(request.user), slug=slug)


def _item_for_owner(request: HttpRequest, slug: str, pk: int) -> Item:
    """Item ``pk`` of the registry at ``slug`` if the user owns it (one query)."""
    items = Item.objects.select_related("registry").filter(registry__slug=slug, registry__owners=request.user)
    return get_object_or_404(items, pk=pk)


def _dashboard(item_or_registry: Item | Registry) -> str:
    if isinstance(item_or_registry, Item):
        url = reverse("registries:dashboard", args=[item_or_registry.registry.slug])
        return f"{url}#item-{item_or_registry.pk}"
    return reverse("registries:dashboard", args=[item_or_registry.slug])


def _categories(registry: Registry) -> list[str]:
    return list(
        registry.items.exclude(category="").order_by("category").values_list("category", flat=True).distinct()
    )


def _render_form(
    request: HttpRequest, registry: Registry, form: ItemForm, item: Item | None, current_image=None
) -> HttpResponse:
    context = {
        "registry": registry,
        "form": form,
        "item": item,
        "current_image": current_image,
        "categories": _categories(registry),
        "category_list_id": CATEGORY_LIST_ID,
    }
    return render(request, "items/form.html", context)


@verified_required
def add(request: HttpRequest, slug: str) -> HttpResponse:
    registry = _registry_for_owner(request, slug)
    form = ItemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        item = services.add_item(registry, form.save(commit=False))
        messages.success(request, f"“{item.title}” is on your registry.")
        if "another" in request.POST:
            return redirect("items:add", registry.slug)
        return redirect(_dashboard(item))
    return _render_form(request, registry, form, None)


@verified_required
def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = _item_for_owner(request, slug, pk)
    registry = item.registry
    reveal = registry.owner_view() != Registry.Spoilers.NONE
    # Validating puts a new upload on the instance; the thumbnail shows what is stored.
    current_image = item.image if item.image else None
    form = ItemForm(request.POST or None, request.FILES or None, instance=item, reveal_counts=reveal)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item(item)
        except services.QuantityBelowReserved as exc:
            form.add_error("quantity", form.below_reserved_message(exc.reserved))
        else:
            messages.success(request, f"Saved “{item.title}”.")
            return redirect(_dashboard(item))
    return _render_form(request, registry, form, item, current_image)


@verified_required
def delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = _item_for_owner(request, slug, pk)
    if request.method == "POST":
        services.delete_item(item)
        messages.success(request, f"Deleted “{item.title}”.")
        return redirect(_dashboard(item.registry))
    spoilers = item.registry.owner_view()
    reservations = None
    if spoilers != Registry.Spoilers.NONE:
        reservations = item.reservations.active().aggregate(guests=Count("pk"), units=Sum("quantity"))
    context = {"item": item, "registry": item.registry, "spoilers": spoilers, "reservations": reservations}
    return render(request, "items/delete.html", context)


@verified_required
@require_POST
def toggle_hidden(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = _item_for_owner(request, slug, pk)
    services.set_hidden(item, not item.hidden)
    if item.hidden:
        messages.success(request, f"“{item.title}” is hidden from guests.")
    else:
        messages.success(request, f"“{item.title}” is visible to guests again.")
    return redirect(_dashboard(item))


@verified_required
@require_POST
def move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = _item_for_owner(request, slug, pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return _bad_request(request, item.registry, "Choose whether to move the gift up or down.")
    if not services.move_item(item, direction):
        where = "top" if direction == "up" else "bottom"
        messages.info(request, f"“{item.title}” is already at the {where}.")
    return redirect(_dashboard(item))


@verified_required
@require_POST
def reorder(request: HttpRequest, slug: str) -> HttpResponse:
    registry = _registry_for_owner(request, slug)
    try:
        ids = parse_order(request.POST.getlist("order"))
        services.reorder_items(registry, ids)
    except services.ReorderError as exc:
        return _bad_request(request, registry, str(exc))
    if _wants_json(request):
        return JsonResponse({"ok": True, "order": ids})
    messages.success(request, "New order saved.")
    return redirect(_dashboard(registry))


def parse_order(values: list[str]) -> list[int]:
    """Item ids from ``order=3,1,2`` or repeated ``order`` fields.

    >>> parse_order(["3,1, 2"])
    [3, 1, 2]
    >>> parse_order(["3", "1", "2"])
    [3, 1, 2]
    >>> parse_order(["3,x"])
    Traceback (most recent call last):
    ...
    apps.items.services.ReorderError: The new order must be a list of gift numbers.
    """
    parts = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not parts:
        raise services.ReorderError("The new order is empty.")
    if len(parts) > 10_000 or not all(part.isascii() and part.isdigit() and len(part) < 19 for part in parts):
        raise services.ReorderError("The new order must be a list of gift numbers.")
    return [int(part) for part in parts]


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _bad_request(request: HttpRequest, registry: Registry, message: str) -> HttpResponse:
    """A 400 that says what was wrong; nothing was changed."""
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": message}, status=400)
    context = {"registry": registry, "message": message}
    return render(request, "items/problem.html", context, status=400)
