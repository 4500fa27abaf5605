"""Guests' pages for group gifts, and for gifts bought off the list.

A pledge is an amount promised toward a group gift's price. Like a
reservation it needs no account: the guest gets a signed manage link to
change the amount or cancel. The pages say how the couple wants to receive
the money (``Registry.pledge_instructions``); Whisper never takes payment.
With the ``group_gifts`` flag off, every pledge page is a 404.

"I bought something not on the list": a guest's note that lands on the
couple's thank-you checklist.
"""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from apps.core.ratelimit import limit
from apps.ops import flags
from apps.registries.access import gate, noindex
from apps.registries.models import Registry

from . import pledges
from .forms import OffRegistryGiftForm, PledgeAmountForm, PledgeForm
from .models import Pledge
from .services import ReservationError
from .views import _private, taken_meanwhile

# Notes of gifts bought elsewhere one address may send to one registry.
OFF_REGISTRY_RATE = "10/h"


def _group_gifts_on(request: HttpRequest) -> None:
    if not flags.is_enabled(flags.GROUP_GIFTS, request):
        raise Http404("Group gifts are switched off")


@limit("WHISPER_RATE_PLEDGE")
@require_http_methods(["GET", "HEAD", "POST"])
def pledge(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Pledge toward one visible group gift: GET shows the form, POST pledges."""
    _group_gifts_on(request)
    registry = get_object_or_404(Registry, slug=slug)
    if locked := gate(request, registry):
        return locked
    item = get_object_or_404(registry.items.visible().filter(group_gift=True), pk=pk)
    if not item.is_available:
        messages.info(request, f"“{item.title}” is fully funded — thank you!")
        return redirect(registry)

    form = PledgeForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            new = pledges.pledge(
                item.pk,
                amount=form.cleaned_data["amount"],
                guest_name=form.cleaned_data["guest_name"],
                guest_email=form.cleaned_data["guest_email"],
                message=form.cleaned_data["message"],
            )
        except pledges.NotEnoughLeft as exc:
            taken = taken_meanwhile(request, registry, item, PledgeForm, exc)
            if isinstance(taken, HttpResponse):
                return taken
            form = taken
        except ReservationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Thank you! We've emailed you a link to change or cancel your pledge.")
            return redirect(new.get_manage_url())
    context = {"registry": registry, "item": item, "form": form}
    return noindex(render(request, "reservations/pledge.html", context))


def _pledge_from_token(token: str) -> Pledge:
    try:
        pk = Pledge.pk_from_token(token)
    except signing.BadSignature:
        raise Http404("No such pledge") from None
    return get_object_or_404(Pledge.objects.select_related("item__registry"), pk=pk)


def _change_amount(request: HttpRequest, current: Pledge) -> HttpResponse | PledgeAmountForm:
    form = PledgeAmountForm(request.POST, pledge=current)
    if not form.is_valid():
        return form
    amount = form.cleaned_data["amount"]
    try:
        pledges.change_pledge(current.pk, amount)
    except pledges.PledgeCancelled:
        raise  # the page has no amount form any more; pledge_manage() says it as a message
    except ReservationError as exc:
        form.add_error(None, str(exc))
        return form
    messages.success(request, f"Done — you now pledge {pledges.money(amount, current.item.currency)}.")
    return redirect(current.get_manage_url())


def _cancel(request: HttpRequest, current: Pledge) -> HttpResponse:
    if pledges.cancel_pledge(current.pk):
        messages.success(request, "Your pledge is cancelled. Thank you for letting the couple know.")
    else:
        messages.info(request, "This pledge was already cancelled.")
    return redirect(current.get_manage_url())


ACTIONS = {"amount": _change_amount, "cancel": _cancel}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def pledge_manage(request: HttpRequest, token: str) -> HttpResponse:
    """The guest's page for one pledge: see it, change the amount, cancel."""
    _group_gifts_on(request)
    current = _pledge_from_token(token)
    item = current.item
    registry = item.registry
    if timezone.localdate() > registry.token_valid_until():
        context = {"registry": registry, "item": item, "valid_until": registry.token_valid_until()}
        context["what"] = "pledge toward"
        return _private(render(request, "reservations/expired.html", context, status=410))

    amount_form = None
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, "Sorry, we didn't understand that request. Nothing was changed.")
            return redirect(current.get_manage_url())
        try:
            result = action(request, current)
        except ReservationError as exc:
            messages.error(request, str(exc))
            return redirect(current.get_manage_url())
        if isinstance(result, HttpResponse):
            return result
        amount_form = result
    if current.is_active and amount_form is None:
        amount_form = PledgeAmountForm(pledge=current)
    context = {
        "pledge": current,
        "item": item,
        "registry": registry,
        "amount": pledges.money(current.amount, item.currency),
        "amount_form": amount_form,
        "valid_until": registry.token_valid_until(),
    }
    return _private(render(request, "reservations/pledge_manage.html", context))


@require_http_methods(["GET", "HEAD", "POST"])
def off_registry(request: HttpRequest, slug: str) -> HttpResponse:
    """A guest tells the couple of a gift that was not on the list (it goes on their checklist)."""
    registry = get_object_or_404(Registry, slug=slug)
    if locked := gate(request, registry):
        return locked
    form = OffRegistryGiftForm(
        request.POST if request.method == "POST" else None, prefix=OffRegistryGiftForm.PREFIX
    )
    status = 200
    if request.method == "POST":
        if is_ratelimited(
            request,
            group=f"reservations.off_registry:{registry.pk}",
            key="ip",
            rate=OFF_REGISTRY_RATE,
            method="POST",
            increment=True,
        ):
            form.add_error(
                None, "You have sent several notes in a short time. Please wait a while, then try again."
            )
            status = 429
        elif form.is_valid():
            gift = form.save(commit=False)
            gift.registry = registry
            gift.save()
            messages.success(
                request,
                f"Thank you! {registry.partner_one} and {registry.partner_two} "
                "will see it on their thank-you list.",
            )
            return redirect(registry)
    context = {"registry": registry, "form": form}
    return noindex(render(request, "reservations/off_registry.html", context, status=status))
