"""Guests reserve a gift, then manage the reservation through a signed link.

No account: the manage link carries the reservation's id signed with
``django.core.signing``; it works until ``Registry.token_valid_until()``.
The work itself happens in ``services``; these views only translate.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.core.ratelimit import limit
from apps.registries.access import gate, noindex
from apps.registries.models import Registry

from . import services
from .forms import QuantityForm, ReserveForm
from .models import Reservation


def _private(response: HttpResponse) -> HttpResponse:
    """A page reached through a secret link: not indexed, and the link never leaks to other sites.

    "same-origin", not "no-referrer": with no-referrer browsers send ``Origin: null``
    with the page's own forms, and Django's CSRF check rejects them (403).
    """
    response["Referrer-Policy"] = "same-origin"
    return noindex(response)


def taken_meanwhile(request: HttpRequest, registry: Registry, item, form_class, exc: Exception):
    """Someone was quicker: say so, with the form's limit brought up to date.

    Back to the registry when nothing is left; otherwise the guest's form
    again, bound to what they typed, with the error on top.
    """
    item.refresh_from_db()
    if not item.is_available:
        messages.error(request, str(exc))
        return redirect(registry)
    form = form_class(request.POST, item=item)
    form.is_valid()
    form.add_error(None, str(exc))
    return form


@limit("WHISPER_RATE_RESERVE")
@require_http_methods(["GET", "HEAD", "POST"])
def reserve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Reserve one visible, available item: GET shows the form, POST reserves."""
    registry = get_object_or_404(Registry, slug=slug)
    if locked := gate(request, registry):
        return locked
    item = get_object_or_404(registry.items.visible(), pk=pk)
    if item.group_gift:  # guests contribute toward a group gift; they don't reserve it
        return redirect("reservations:pledge", registry.slug, item.pk)
    if not item.is_available:
        messages.info(request, f"“{item.title}” has already been reserved — thank you!")
        return redirect(registry)

    form = ReserveForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            reservation = services.reserve(
                item.pk,
                quantity=form.cleaned_data["quantity"],
                guest_name=form.cleaned_data["guest_name"],
                guest_email=form.cleaned_data["guest_email"],
                message=form.cleaned_data["message"],
            )
        except services.NotAvailable as exc:
            taken = taken_meanwhile(request, registry, item, ReserveForm, exc)
            if isinstance(taken, HttpResponse):
                return taken
            form = taken
        except services.ReservationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Reserved! We've emailed you a link to manage it.")
            return redirect(reservation.get_manage_url())
    return noindex(
        render(request, "reservations/reserve.html", {"registry": registry, "item": item, "form": form})
    )


def _reservation_from_token(token: str) -> Reservation:
    try:
        pk = Reservation.pk_from_token(token)
    except signing.BadSignature:
        raise Http404("No such reservation") from None
    return get_object_or_404(Reservation.objects.select_related("item__registry"), pk=pk)


def _change_quantity(request: HttpRequest, reservation: Reservation) -> HttpResponse | QuantityForm:
    form = QuantityForm(request.POST, reservation=reservation)
    if not form.is_valid():
        return form
    try:
        services.change_quantity(reservation.pk, form.cleaned_data["quantity"])
    except services.AlreadyCancelled:
        raise  # the page has no quantity form any more; manage() says it as a message
    except services.ReservationError as exc:
        form.add_error(None, str(exc))
        return form
    messages.success(request, f"Done — your reservation is now for {form.cleaned_data['quantity']}.")
    return redirect(reservation.get_manage_url())


def _mark_bought(request: HttpRequest, reservation: Reservation) -> HttpResponse:
    services.mark_bought(reservation.pk, bought=True)
    messages.success(request, "Marked as bought — thank you!")
    return redirect(reservation.get_manage_url())


def _mark_not_bought(request: HttpRequest, reservation: Reservation) -> HttpResponse:
    services.mark_bought(reservation.pk, bought=False)
    messages.success(request, "Marked as not bought yet.")
    return redirect(reservation.get_manage_url())


def _cancel(request: HttpRequest, reservation: Reservation) -> HttpResponse:
    if services.cancel(reservation.pk):
        messages.success(request, "Your reservation is cancelled. Thank you for letting the couple know.")
    else:
        messages.info(request, "This reservation was already cancelled.")
    return redirect(reservation.get_manage_url())


ACTIONS: dict[str, Callable[[HttpRequest, Reservation], HttpResponse | QuantityForm]] = {
    "quantity": _change_quantity,
    "bought": _mark_bought,
    "not_bought": _mark_not_bought,
    "cancel": _cancel,
}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The guest's page for one reservation: see it, change the quantity, mark bought, cancel."""
    reservation = _reservation_from_token(token)
    item = reservation.item
    registry = item.registry
    if timezone.localdate() > registry.token_valid_until():
        context = {"registry": registry, "item": item, "valid_until": registry.token_valid_until()}
        return _private(render(request, "reservations/expired.html", context, status=410))

    quantity_form = None
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, "Sorry, we didn't understand that request. Nothing was changed.")
            return redirect(reservation.get_manage_url())
        try:
            result = action(request, reservation)
        except services.ReservationError as exc:
            messages.error(request, str(exc))
            return redirect(reservation.get_manage_url())
        if isinstance(result, HttpResponse):
            return result
        quantity_form = result
    if reservation.is_active and quantity_form is None:
        quantity_form = QuantityForm(reservation=reservation)
    context = {
        "reservation": reservation,
        "item": item,
        "registry": registry,
        "quantity_form": quantity_form,
        "valid_until": registry.token_valid_until(),
    }
    return _private(render(request, "reservations/manage.html", context))
