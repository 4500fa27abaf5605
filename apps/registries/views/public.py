"""The guests' side of a registry: the public page, the passphrase gate and search.

Guests never log in. A protected registry asks for its passphrase once per
browser session; the session remembers it per registry, bound to the current
passphrase so that changing the passphrase locks everybody out again. The
registry's owners always get in.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import get_usage

from apps.registries.models import Registry
from apps.registries.public_forms import ItemFilterForm, PassphraseForm, SearchForm

SESSION_KEY = "registries.unlocked"  # {registry pk: fingerprint of its passphrase}
WRONG_PASSPHRASE_RATE = "10/m"  # noqa: S105 (a rate: wrong tries per address and registry)
SEARCH_RESULTS = 50


# Access helpers (the reservation views use them too) ---------------------
def is_owner(request: HttpRequest, registry: Registry) -> bool:
    """Whether the visitor is one of the registry's couple (one query when logged in)."""
    user = request.user
    return user.is_authenticated and registry.owners.filter(pk=user.pk).exists()


def _fingerprint(registry: Registry) -> str:
    return salted_hmac("registries.passphrase", registry.passphrase_hash).hexdigest()[:20]


def _unlocked_in_session(request: HttpRequest, registry: Registry) -> bool:
    remembered = request.session.get(SESSION_KEY, {}).get(str(registry.pk), "")
    return constant_time_compare(remembered, _fingerprint(registry))


def _remember_unlocked(request: HttpRequest, registry: Registry) -> None:
    unlocked = dict(request.session.get(SESSION_KEY, {}))
    unlocked[str(registry.pk)] = _fingerprint(registry)
    request.session[SESSION_KEY] = unlocked
    if not request.user.is_authenticated:
        # A guest's session ends with the browser session (a couple's login keeps its own expiry).
        request.session.set_expiry(0)


def gate(request: HttpRequest, registry: Registry, owner: bool | None = None) -> HttpResponse | None:
    """A redirect to the passphrase page if the visitor may not see ``registry`` yet, else None.

    ``owner`` saves a query when the caller already knows whether the visitor owns it.
    """
    if not registry.is_protected or _unlocked_in_session(request, registry):
        return None
    if owner is None:
        owner = is_owner(request, registry)
    if owner:
        return None
    url = reverse("registries:passphrase", args=[registry.slug])
    return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


def noindex(response: HttpResponse) -> HttpResponse:
    """Ask search engines not to index ``response`` (the page says so in a meta tag too)."""
    response["X-Robots-Tag"] = "noindex"
    return response


def _wrong_tries_exhausted(request: HttpRequest, registry: Registry, count_this_one: bool = False) -> bool:
    """Whether this address used up its wrong passphrases for ``registry`` (counted in the cache)."""
    usage = get_usage(
        request,
        group=f"registries.passphrase:{registry.pk}",
        key="ip",
        rate=WRONG_PASSPHRASE_RATE,
        increment=count_this_one,
    )
    return usage is not None and usage["count"] >= usage["limit"]


# Views -----------------------------------------------------------------
@require_safe
def registry(request: HttpRequest, slug: str) -> HttpResponse:
    """The registry's public page: the couple, then the gifts, filtered and sorted."""
    registry = get_object_or_404(Registry, slug=slug)
    owner = is_owner(request, registry)
    if locked := gate(request, registry, owner=owner):
        return locked
    # The couple may have chosen not to see what was reserved before the event.
    show_state = not owner or registry.owner_view() != Registry.Spoilers.NONE

    visible = registry.items.visible()
    categories = list(
        visible.exclude(category="").order_by("category").values_list("category", flat=True).distinct()
    )
    form = ItemFilterForm(request.GET, categories=categories, with_available=show_state)
    if ignored := form.ignored():
        messages.warning(request, f"We ignored a filter we couldn't understand: {', '.join(ignored)}.")
    items = list(form.apply(visible))

    indexable = registry.privacy == Registry.Privacy.PUBLIC
    response = render(
        request,
        "registries/public.html",
        {
            "registry": registry,
            "items": items,
            "form": form,
            "is_owner": owner,
            "show_state": show_state,
            "indexable": indexable,
        },
    )
    return response if indexable else noindex(response)


@require_http_methods(["GET", "HEAD", "POST"])
def passphrase(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for a protected registry's passphrase, then go where the guest was headed."""
    registry = get_object_or_404(Registry, slug=slug)
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = registry.get_absolute_url()
    if gate(request, registry) is None:
        return HttpResponseRedirect(next_url)

    form = PassphraseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _wrong_tries_exhausted(request, registry):
            form.add_error(None, "Too many tries — please wait a minute, then try again.")
            status = 429
        elif form.is_valid():
            if registry.check_passphrase(form.cleaned_data["passphrase"]):
                _remember_unlocked(request, registry)
                return HttpResponseRedirect(next_url)
            _wrong_tries_exhausted(request, registry, count_this_one=True)
            form.add_error("passphrase", "That passphrase doesn't match. Please check and try again.")
    return noindex(
        render(request, "registries/passphrase.html", {"registry": registry, "form": form}, status=status)
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Find a public registry by the couple's names; unlisted and protected ones never show."""
    form = SearchForm(request.GET)
    query = form.query()
    results, more = None, False
    if query:
        found = list(Registry.objects.search(query).order_by("event_date", "pk")[: SEARCH_RESULTS + 1])
        results, more = found[:SEARCH_RESULTS], len(found) > SEARCH_RESULTS
    return noindex(
        render(
            request,
            "registries/search.html",
            {"form": form, "query": query, "results": results, "more": more},
        )
    )
