"""Guests claim a gift — reserve units of it, or pledge toward a group gift — then
manage the claim through a signed link; and tell the couple of a gift bought
off the list.

No account: the manage link carries the claim's id signed with
``django.core.signing``; it works until ``Registry.token_valid_until()``,
and after that day the registry takes no new claims either. Each mail also
carries a "this wasn't me" link for whoever owns the address.
The rules live in ``services`` (one lifecycle for every kind of claim); these
views only translate, and each kind (``services.ClaimKind``) holds its words. A
pledge is a promise: the pages say how the couple wants to receive the money
(``Registry.pledge_instructions``); Whisper never takes payment. With the
``group_gifts`` flag off, every pledge page is a 404.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from apps.core.ratelimit import limit, over_limit
from apps.items.models import Item
from apps.ops import flags
from apps.registries.access import gate, noindex, speak_registry_language
from apps.registries.models import Registry

from . import funds, services
from .forms import ChangeForm, ClaimForm, OffRegistryGiftForm
from .models import Claim


def _private(response: HttpResponse) -> HttpResponse:
    """A page reached through a secret link: not indexed, and the link never leaks to other sites.

    "same-origin", not "no-referrer": with no-referrer browsers send ``Origin: null``
    with the page's own forms, and Django's CSRF check rejects them (403).
    """
    response["Referrer-Policy"] = "same-origin"
    return noindex(response)


# The session key and fields of a guest's words kept after losing a race for the last one.
DRAFT_KEY = "claim_draft"
DRAFT_FIELDS = ("guest_name", "guest_email", "message")


def _flag_on(request: HttpRequest, kind: services.ClaimKind) -> None:
    if kind.flag and not flags.is_enabled(kind.flag, request):
        raise Http404("Switched off")


def _take(request: HttpRequest, slug: str, pk: int, kind: services.ClaimKind) -> HttpResponse:
    """Claim one visible, available item: GET shows the form, POST takes the claim."""
    _flag_on(request, kind)
    # The item and its registry in one query; without it, the registry alone (its gate, then a 404).
    item = Item.objects.visible().filter(**kind.gifts).select_related("registry")
    item = item.filter(registry__slug=slug, pk=pk).first()
    registry = item.registry if item is not None else get_object_or_404(Registry, slug=slug)
    speak_registry_language(request, registry)
    if locked := gate(request, registry):
        return locked
    if item is None:
        raise Http404("No such gift")
    if item.group_gift and not kind.gifts:  # guests contribute toward a group gift; they don't reserve it
        return redirect("reservations:pledge", registry.slug, item.pk)
    context = {"registry": registry, "item": item}
    if closed := services.closed(registry):  # no form: a claim now could never be changed or cancelled
        return noindex(render(request, kind.page, {**context, "closed": closed}))
    if not item.is_available:
        messages.info(request, kind.messages["gone"] % {"title": item.title})
        return redirect(registry)

    # What the guest typed before someone else took the last one (see below) fills the next form.
    draft = request.session.pop(DRAFT_KEY, None) if request.method != "POST" else None
    form = ClaimForm(request.POST if request.method == "POST" else None, kind=kind, item=item, initial=draft)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = kind.take(
                item.pk,
                data[kind.field],
                data["guest_name"],
                data["guest_email"],
                data["message"],
                key=data["key"],
                thank_you_address=data["thank_you_address"],
                language=translation.get_language(),
                item=item,
            )
        except services.NotAvailable as exc:
            # Someone was quicker: back to the registry when nothing is left, else
            # the guest's form again, its limit brought up to date, the error on top.
            item.refresh_from_db()
            if not item.is_available:
                # Keep their name and words for the gift they choose instead.
                request.session[DRAFT_KEY] = {name: data[name] for name in DRAFT_FIELDS}
                messages.error(request, str(exc))
                messages.info(request, _("We kept your name and message for the gift you choose instead."))
                return redirect(registry)
            form = ClaimForm(request.POST, kind=kind, item=item)
            form.is_valid()
            form.add_error(None, str(exc))
        except services.ClaimError as exc:
            form.add_error(None, str(exc))
        else:
            paying = getattr(claim, "status", "") == "awaiting"
            messages.success(request, kind.messages["taken_paypal" if paying else "taken"])
            return redirect(claim.get_manage_url() + ("#pay" if paying else ""))
    context["form"] = form
    return noindex(render(request, kind.page, context))


# Never from a cache: each rendering of the form carries a one-time key of its own.
@never_cache
@limit("WHISPER_RATE_RESERVE")
@require_http_methods(["GET", "HEAD", "POST"])
def reserve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _take(request, slug, pk, services.UNITS)


@never_cache
@limit("WHISPER_RATE_PLEDGE")
@require_http_methods(["GET", "HEAD", "POST"])
def pledge(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _take(request, slug, pk, services.AMOUNTS)


# The manage page's actions: each answers with a redirect, or the change form with its errors.
Action = Callable[[HttpRequest, services.ClaimKind, Claim], HttpResponse | ChangeForm]


def _change(request: HttpRequest, kind: services.ClaimKind, claim: Claim) -> HttpResponse | ChangeForm:
    form = ChangeForm(request.POST, kind=kind, claim=claim)
    if not form.is_valid():
        return form
    value = form.cleaned_data[kind.field]
    try:
        kind.change(claim.pk, value)
    except services.Cancelled:
        raise  # the page has no change form any more; manage() says it as a message
    except services.ClaimError as exc:
        form.add_error(None, str(exc))
        return form
    messages.success(request, kind.messages["changed"] % {"value": kind.show(value, claim.item.currency)})
    return redirect(claim.get_manage_url())


def _bought(request: HttpRequest, kind: services.ClaimKind, claim: Claim) -> HttpResponse:
    bought = request.POST["action"] == "bought"
    kind.mark_bought(claim.pk, bought=bought)
    done = _("Marked as bought — thank you!") if bought else _("Marked as not bought yet.")
    messages.success(request, done)
    return redirect(claim.get_manage_url())


def _cancel(request: HttpRequest, kind: services.ClaimKind, claim: Claim) -> HttpResponse:
    if kind.cancel(claim.pk):
        messages.success(request, kind.messages["now_cancelled"])
    else:
        messages.info(request, kind.messages["already_cancelled"])
    return redirect(claim.get_manage_url())


def _actions(kind: services.ClaimKind) -> dict[str, Action]:
    """What a guest may do with a claim of ``kind`` (a reservation may also be marked bought)."""
    actions: dict[str, Action] = {kind.field: _change, "cancel": _cancel}
    if hasattr(kind, "mark_bought"):
        actions.update(bought=_bought, not_bought=_bought)
    return actions


def _claim(rules: services.ClaimKind, token: str, not_me: bool = False) -> Claim:
    """The claim a guest's signed link names (a manage link, or with ``not_me`` a "this wasn't me" one)."""
    try:
        pk = rules.model.pk_from_token(token, not_me=not_me)
    except signing.BadSignature:
        raise Http404("No such claim") from None
    return get_object_or_404(rules.model.objects.select_related("item", "registry"), pk=pk)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """The guest's page for one claim: see it, change it, mark it bought, cancel it."""
    rules = services.KINDS[kind]
    _flag_on(request, rules)
    claim = _claim(rules, token)
    item = claim.item
    registry = claim.registry or item.registry  # (claims saved in bulk may lack their own)
    speak_registry_language(request, registry)
    context = {kind: claim, "claim": claim, "item": item, "registry": registry}
    context["valid_until"] = registry.token_valid_until()
    if services.links_expired(registry):
        with registry.local_time():
            return _private(render(request, "reservations/expired.html", context, status=410))
    if item is None:  # the couple deleted the gift: the guest's link says so (and there is nothing to change)
        with registry.local_time():
            return _private(render(request, "reservations/removed.html", context))

    change_form = None
    if request.method == "POST":
        action = _actions(rules).get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, _("Sorry, we didn't understand that request. Nothing was changed."))
            return redirect(claim.get_manage_url())
        try:
            result = action(request, rules, claim)
        except services.ClaimError as exc:
            messages.error(request, str(exc))
            return redirect(claim.get_manage_url())
        if isinstance(result, HttpResponse):
            return result
        change_form = result
    if claim.is_active and change_form is None:
        change_form = ChangeForm(kind=rules, claim=claim)
    context["change_form"] = change_form
    # "Cancel my …" first asks (?cancel=1); only the POST of that confirmation cancels.
    context["confirm_cancel"] = claim.is_active and request.GET.get("cancel") == "1"
    context["frozen_change"] = rules.frozen(claim, "change")
    context["amount"] = rules.show(getattr(claim, rules.field), item.currency)
    if getattr(claim, "status", "") == "awaiting":
        context["hold_hours"] = settings.WHISPER_PAYPAL_HOLD_HOURS
        # Released (no payment in time) or cancelled: no button, but a late payment still counts.
        context["paypal_form"] = funds.paypal_form(claim) if claim.is_active else None
    with registry.local_time():  # the claim's dates on the couple's clock
        return _private(render(request, "reservations/manage.html", context))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def not_me(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """From a guest's mail, "this wasn't me": GET asks (mail scanners open links), POST does it."""
    rules = services.KINDS[kind]
    claim = _claim(rules, token, not_me=True)
    speak_registry_language(request, claim.item.registry)
    done = request.method == "POST"
    registry = claim.registry or claim.item.registry
    context = {"claim": claim, "item": claim.item, "registry": registry, "done": done}
    if done:
        context["cancelled"] = rules.not_me(claim.pk)
    return _private(render(request, "reservations/not_me.html", context))


@require_http_methods(["GET", "HEAD", "POST"])
def off_registry(request: HttpRequest, slug: str) -> HttpResponse:
    """A guest tells the couple of a gift that was not on the list (it goes on their checklist)."""
    registry = get_object_or_404(Registry, slug=slug)
    speak_registry_language(request, registry)
    if locked := gate(request, registry):
        return locked
    form = OffRegistryGiftForm(
        request.POST if request.method == "POST" else None, prefix=OffRegistryGiftForm.PREFIX
    )
    status = 200
    if request.method == "POST":
        if over_limit(request, "WHISPER_RATE_OFF_REGISTRY", group=f"reservations.off_registry:{registry.pk}"):
            form.add_error(
                None, _("You have sent several notes in a short time. Please wait a while, then try again.")
            )
            status = 429
        elif form.is_valid():
            gift = form.save(commit=False)
            gift.registry = registry
            gift.save()
            thanks = _("Thank you! %(one)s and %(two)s will see it on their thank-you list.")
            messages.success(request, thanks % {"one": registry.partner_one, "two": registry.partner_two})
            return redirect(registry)
    context = {"registry": registry, "form": form}
    return noindex(render(request, "reservations/off_registry.html", context, status=status))
