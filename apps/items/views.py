"""The couple's pages for their gifts: add, edit, hide, delete, reorder, received elsewhere.

Adding can start from an import job (``?import=<id>``, apps.importer): the
form is pre-filled from the product page and the picture is copied in.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from apps.accounts.decorators import verified_required
from apps.importer import prefill
from apps.ops import flags
from apps.registries import plans
from apps.registries.access import registry_for_owner
from apps.registries.models import Registry

from . import services
from .forms import CATEGORY_LIST_ID, FundForm, ItemForm, ReceivedElsewhereForm
from .models import Item


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
    request: HttpRequest,
    registry: Registry,
    form: ItemForm,
    item: Item | None,
    current_image=None,
    limit_message: str = "",
    import_job=None,
) -> HttpResponse:
    context = {
        "registry": registry,
        "form": form,
        "item": item,
        "current_image": current_image,
        "categories": _categories(registry),
        "category_list_id": CATEGORY_LIST_ID,
        "limit_message": limit_message,
        "import_job": import_job,
    }
    context["fund"] = isinstance(form, FundForm)
    if item is not None and not item.unlimited and not item.is_fund:
        context["received_form"] = ReceivedElsewhereForm(
            initial={"received_elsewhere": item.received_elsewhere}
        )
    return render(request, "items/form.html", context)


def _group_gift_error(form: ItemForm, exc: services.GroupGiftRefused | plans.PlanLimitReached) -> None:
    """Put a refused group-gift change on the form, next to the field it is about."""
    field = getattr(exc, "field", "group_gift")
    form.add_error(field if field in form.fields else None, str(exc))


def _group_gifts(request: HttpRequest, registry: Registry) -> bool:
    """Whether the form offers "group gift": its flag is on and the plan allows it.

    Never offered and then refused after the couple filled the form in.
    """
    return flags.is_enabled(flags.GROUP_GIFTS, request) and plans.allows(registry, "group_gifts")


def _limit_message(registry: Registry) -> str:
    """Why the registry's plan takes no more gifts, or "" while it does."""
    try:
        plans.ensure_can_add_item(registry)
    except plans.PlanLimitReached as exc:
        return str(exc)
    return ""


@verified_required
def add(request: HttpRequest, slug: str) -> HttpResponse:
    registry = registry_for_owner(request, slug)
    job = prefill.job_for(request, registry)
    if job is not None and not job.is_finished:
        return redirect("importer:job", registry.slug, job.pk)
    # A new gift starts in the registry's currency, unless the shop's page said another.
    initial = {"currency": registry.currency}
    if job:
        initial.update(
            {name: value for name, value in prefill.initial(job).items() if value not in ("", None)}
        )
    form = ItemForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        group_gifts=_group_gifts(request, registry),
    )
    # The imported picture, shown (and kept) until the couple uploads another.
    picture = prefill.picture(job)
    if request.method == "POST" and form.is_valid():
        item = form.save(commit=False)
        if job is not None:
            prefill.copy_picture(job, item)
        try:
            item = services.add_item(registry, item)
        except plans.PlanLimitReached as exc:
            # Nothing was saved; the form keeps what was typed.
            return _render_form(
                request, registry, form, None, picture, limit_message=str(exc), import_job=job
            )
        except services.GroupGiftRefused as exc:
            _group_gift_error(form, exc)
        else:
            messages.success(request, _("“%(title)s” is on your registry.") % {"title": item.title})
            if "another" in request.POST:
                return redirect("items:add", registry.slug)
            return redirect(_dashboard(item))
    # Say so before the couple types a gift the plan would refuse.
    return _render_form(
        request, registry, form, None, picture, limit_message=_limit_message(registry), import_job=job
    )


@verified_required
def add_fund(request: HttpRequest, slug: str) -> HttpResponse:
    """A fund (honeymoon, first home, charity): guests give any amount toward an optional target."""
    registry = registry_for_owner(request, slug)
    form = FundForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.add_item(registry, form.save(commit=False))
        except plans.PlanLimitReached as exc:
            return _render_form(request, registry, form, None, limit_message=str(exc))
        except services.GroupGiftRefused as exc:
            _group_gift_error(form, exc)
        else:
            messages.success(request, _("“%(title)s” is on your registry.") % {"title": item.title})
            return redirect(_dashboard(item))
    return _render_form(request, registry, form, None, limit_message=_limit_message(registry))


@verified_required
def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = _item_for_owner(request, slug, pk)
    registry = item.registry
    reveal = registry.owner_view() != Registry.Spoilers.NONE
    # Validating puts a new upload on the instance; the thumbnail shows what is stored.
    current_image = item.image if item.image else None
    if item.is_fund:
        form = FundForm(request.POST or None, request.FILES or None, instance=item)
        if request.method == "POST" and form.is_valid():
            try:
                services.update_item(item)
            except (services.GroupGiftRefused, plans.PlanLimitReached) as exc:
                _group_gift_error(form, exc)
            else:
                messages.success(request, _("Saved “%(title)s”.") % {"title": item.title})
                return redirect(_dashboard(item))
        return _render_form(request, registry, form, item, current_image)
    form = ItemForm(
        request.POST or None,
        request.FILES or None,
        instance=item,
        reveal_counts=reveal,
        group_gifts=_group_gifts(request, registry),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item(item)
        except services.QuantityBelowReserved as exc:
            form.add_error("quantity", form.below_reserved_message(**exc.params))
        except (services.GroupGiftRefused, plans.PlanLimitReached) as exc:
            _group_gift_error(form, exc)
        else:
            messages.success(request, _("Saved “%(title)s”.") % {"title": item.title})
            return redirect(_dashboard(item))
    return _render_form(request, registry, form, item, current_image)


@verified_required
def delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = _item_for_owner(request, slug, pk)
    if request.method == "POST":
        services.delete_item(item)
        messages.success(request, _("Deleted “%(title)s”.") % {"title": item.title})
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
        messages.success(request, _("“%(title)s” is hidden from guests.") % {"title": item.title})
    else:
        messages.success(request, _("“%(title)s” is visible to guests again.") % {"title": item.title})
    return redirect(_dashboard(item))


@verified_required
@require_POST
def move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = _item_for_owner(request, slug, pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return _bad_request(request, item.registry, _("Choose whether to move the gift up or down."))
    if not services.move_item(item, direction):
        if direction == "up":
            messages.info(request, _("“%(title)s” is already at the top.") % {"title": item.title})
        else:
            messages.info(request, _("“%(title)s” is already at the bottom.") % {"title": item.title})
    return redirect(_dashboard(item))


@verified_required
@require_POST
def reorder(request: HttpRequest, slug: str) -> HttpResponse:
    registry = registry_for_owner(request, slug)
    try:
        ids = parse_order(request.POST.getlist("order"))
        services.reorder_items(registry, ids)
    except services.ReorderError as exc:
        return _bad_request(request, registry, str(exc))
    if _wants_json(request):
        return JsonResponse({"ok": True, "order": ids})
    messages.success(request, _("New order saved."))
    return redirect(_dashboard(registry))


@verified_required
@require_POST
def received(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Mark how many of a gift came from someone off the registry (they no longer remain)."""
    item = _item_for_owner(request, slug, pk)
    edit_url = reverse("items:edit", args=[item.registry.slug, item.pk]) + "#received"
    form = ReceivedElsewhereForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("%(problem)s Nothing was changed.") % {"problem": form.errors["received_elsewhere"][0]}
        )
        return redirect(edit_url)
    count = form.cleaned_data["received_elsewhere"]
    try:
        services.set_received_elsewhere(item, count)
    except services.ReceivedTooMany as exc:
        most = exc.params["most"]
        if most is None:
            messages.error(request, _("Any number is welcome for this gift, so there is nothing to mark."))
        elif item.registry.owner_view() != Registry.Spoilers.NONE:
            message = ngettext(
                "Only %(most)s of “%(title)s” is not reserved by guests, "
                "so you can mark at most %(most)s as received. Nothing was changed.",
                "Only %(most)s of “%(title)s” are not reserved by guests, "
                "so you can mark at most %(most)s as received. Nothing was changed.",
                most,
            )
            messages.error(request, message % {"most": most, "title": item.title})
        else:
            messages.error(request, _("%(problem)s Nothing was changed.") % {"problem": exc})
        return redirect(edit_url)
    if count:
        messages.success(
            request,
            _("Noted: you received %(count)s of “%(title)s” from someone off the registry.")
            % {"count": count, "title": item.title},
        )
    else:
        messages.success(
            request,
            _("“%(title)s” has nothing marked as received elsewhere any more.") % {"title": item.title},
        )
    return redirect(_dashboard(item))


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
        raise services.ReorderError(gettext_lazy("The new order is empty."), code="empty")
    if len(parts) > 10_000 or not all(part.isascii() and part.isdigit() and len(part) < 19 for part in parts):
        raise services.ReorderError(
            gettext_lazy("The new order must be a list of gift numbers."), code="not_numbers"
        )
    return [int(part) for part in parts]


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _bad_request(request: HttpRequest, registry: Registry, message: str) -> HttpResponse:
    """A 400 that says what was wrong; nothing was changed."""
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": message}, status=400)
    context = {"registry": registry, "message": message}
    return render(request, "items/problem.html", context, status=400)
