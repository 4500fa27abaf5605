"""The guests' side of a registry: the public page, the passphrase gate and search.

Guests never log in. A protected registry asks for its passphrase once per
browser session; the session remembers it per registry, bound to the current
passphrase so that changing the passphrase locks everybody out again. The
registry's owners always get in.

The public page is the busiest page of the site and is cached in layers keyed
by the registry's and items' ``cache_version`` (see :class:`_Page`): a
conditional GET costs one query, a guest's warm page one query and one cache
read, an uncached page a constant handful of queries whatever the number of gifts.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib import messages
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import get_usage

from apps.core.bench_views import cache_bypassed
from apps.core.cache import (
    BYPASS_CACHE,
    FRAGMENT_SECONDS,
    code_version,
    etag,
    fragment_key,
    has_visitor_state,
)
from apps.core.ratelimit import limit
from apps.ops import flags, read_only
from apps.registries.models import Registry
from apps.registries.public_forms import ItemFilterForm, PassphraseForm, SearchForm
from apps.reservations.forms import OffRegistryGiftForm

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


# The public page and its caching -------------------------------------------
TEMPLATE = "registries/public.html"
# The query-string parameters that change the gift list; any other is ignored.
FILTER_PARAMS = tuple(ItemFilterForm.base_fields)


def filter_variant(params: QueryDict) -> str:
    """The filters and sort asked for, in one canonical string (part of the cache keys).

    Parameters the page does not read (``utm_source``…) are left out, so they
    share the cached page; the last value of a repeated one counts, as in the form.

    >>> filter_variant(QueryDict("utm_source=x&sort=price&category=Kitchen&sort=-price"))
    'category=Kitchen&sort=-price'
    >>> filter_variant(QueryDict(""))
    ''
    """
    return urlencode([(name, params[name]) for name in FILTER_PARAMS if name in params])


@cache
def _prepared_lookup(using: str) -> tuple[str, list[str], list[tuple[int, list, object]]]:
    """SQL, column names and value converters of ``Registry.objects.get(slug=…)``, built once.

    The ORM writes the SQL (its table, columns and quoting) and says how to
    convert each column; only the slug changes from one request to the next.
    """
    compiler = Registry.objects.using(using).filter(slug="-").order_by().query.get_compiler(using)
    sql, params = compiler.as_sql()
    if list(params) != ["-"]:
        raise ImproperlyConfigured(f"unexpected parameters in the registry lookup: {params!r}")
    columns = [col for col, _sql, _alias in compiler.select]
    converters = [(i, convs, col) for i, (convs, col) in compiler.get_converters(columns).items()]
    return sql, [col.target.attname for col in columns], converters


def _registry_or_404(slug: str) -> Registry:
    """The registry at ``slug`` (one query), as ``get_object_or_404(Registry, slug=slug)``.

    Without building the query each time: on this page's hot path (a 304,
    a cached page) the ORM's query building costs more than the query.
    """
    using = router.db_for_read(Registry)
    connection = connections[using]
    sql, names, converters = _prepared_lookup(using)
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug])
        row = cursor.fetchone()
    if row is None:
        raise Http404("No registry at this address.")
    values = list(row)
    for i, convs, col in converters:
        for convert in convs:
            values[i] = convert(values[i], col, connection)
    return Registry.from_db(using, names, values)


def _csrf_placeholder() -> bytes:
    """What ``{% csrf_token %}`` renders in a page shared between visitors.

    Each response swaps in the visitor's own token. Derived from SECRET_KEY:
    the same on every web node, and nobody can type it into a gift's title.
    """
    return _placeholder_for(settings.SECRET_KEY)


@cache
def _placeholder_for(secret_key: str) -> bytes:
    digest = salted_hmac("registries.public.csrf", "placeholder", secret=secret_key).hexdigest()
    return f"csrf-{digest}".encode()


def _off_registry_form() -> OffRegistryGiftForm:
    return OffRegistryGiftForm(prefix=OffRegistryGiftForm.PREFIX)


class _Gifts:
    """The gift list of one variant, read from the database only when a template asks.

    On a cache hit the fragments holding the list are not rendered, so
    neither the categories nor the items are ever queried.
    """

    def __init__(self, registry: Registry, params: QueryDict, show_state: bool) -> None:
        self.registry, self.params, self.show_state = registry, params, show_state

    @cached_property
    def form(self) -> ItemFilterForm:
        categories = list(
            self.registry.items.visible()
            .exclude(category="")
            .order_by("category")
            .values_list("category", flat=True)
            .distinct()
        )
        return ItemFilterForm(self.params, categories=categories, with_available=self.show_state)

    @cached_property
    def items(self) -> list:
        return list(self.form.apply(self.registry.items.visible()))

    @cached_property
    def warning(self) -> str:
        """What the page says about filters it could not understand (and ignored)."""
        if ignored := self.form.ignored():
            return f"We ignored a filter we couldn't understand: {', '.join(ignored)}."
        return ""


class _Page:
    """One request for a registry's public page: its cache keys, ETag and headers.

    Three layers, each keyed by versions that the services bump on every
    change guests can see (``Registry.cache_version``, ``Item.cache_version``):

    - conditional GET: the ETag is computed from the registry row alone, and
      a match is answered 304 before anything is rendered;
    - the whole page, for visitors without a session or pending messages
      (nothing on it is theirs but the CSRF token of the "bought something
      else" form, which each response swaps in): one cache entry;
    - versioned template fragments (``registries/public.html``) for everyone
      else: the hero and the gift list by the registry's version, each card
      by its item's version, so that one reservation re-renders one card.
      Per-visitor parts (the navigation, CSRF tokens, messages, the owner's
      note) stay outside them.
    """

    def __init__(self, request: HttpRequest, registry: Registry, owner: bool, show_state: bool) -> None:
        self.request, self.registry, self.owner, self.show_state = request, registry, owner, show_state
        self.variant = filter_variant(request.GET)
        self.bypass = cache_bypassed(request) and BYPASS_CACHE in settings.CACHES
        # Messages are shown once: such a page is neither shared nor revalidated.
        self.conditional = not self.bypass and not len(messages.get_messages(request))
        self.shared = not self.bypass and not has_visitor_state(request)
        self.fragment_cache = BYPASS_CACHE if self.bypass else DEFAULT_CACHE_ALIAS

    def _visitor(self) -> str:
        user = self.request.user
        if user.is_authenticated:
            return f"{'owner' if self.owner else 'user'}:{user.pk}"
        return "unlocked" if self.registry.is_protected else "guest"

    def etag(self) -> str:
        """The ETag of what this visitor would get now, from the registry row and the request.

        The CSRF cookie is part of it: a page revalidated with another cookie
        would hold a token that no longer matches it.
        """
        registry = self.registry
        return etag(
            code_version(),
            registry.pk,
            registry.cache_version,
            self.variant,
            self.show_state,
            self._visitor(),
            self.request.META.get("CSRF_COOKIE", ""),
            read_only.for_request(self.request),
        )

    def _page_key(self) -> str:
        registry = self.registry
        return fragment_key(
            "registry-page",
            registry.pk,
            registry.cache_version,
            self.variant,
            read_only.for_request(self.request),
            code_version(),
        )

    def context(self, **extra) -> dict:
        """The template's context; the gift list in it is evaluated only on a fragment miss."""
        gifts = _Gifts(self.registry, self.request.GET, self.show_state)
        return {
            "registry": self.registry,
            "gifts": gifts,
            "items": SimpleLazyObject(lambda: gifts.items),
            "form": SimpleLazyObject(lambda: gifts.form),
            "variant": self.variant,
            "is_owner": self.owner,
            "show_state": self.show_state,
            # Feature flags as they are for everyone: the cached cards are
            # shared, and flipping a flag bumps the versions of the cards it
            # changes (apps.reservations.signals).
            "flags": flags.RequestFlags(None),
            "indexable": self.registry.privacy == Registry.Privacy.PUBLIC,
            # "I bought something not on the list" (posts to reservations:off_registry).
            "off_registry_form": SimpleLazyObject(_off_registry_form),
            "fragment_cache": self.fragment_cache,
            "fragment_seconds": FRAGMENT_SECONDS,
            "code_version": code_version(),
            **extra,
        }

    def shared_html(self) -> bytes:
        """The page every visitor without a session gets, with this visitor's CSRF token in it."""
        key, placeholder = self._page_key(), _csrf_placeholder()
        html = caches[DEFAULT_CACHE_ALIAS].get(key)
        if html is None:
            # Only the placeholder may stand for a token: if anything asks for
            # the visitor's own token while rendering, the page is not shared.
            meta = self.request.META
            needed = meta.pop("CSRF_COOKIE_NEEDS_UPDATE", None)
            context = self.context(csrf_token=placeholder.decode())
            html = render_to_string(TEMPLATE, context, self.request).encode()
            if not meta.get("CSRF_COOKIE_NEEDS_UPDATE"):
                caches[DEFAULT_CACHE_ALIAS].set(key, html, FRAGMENT_SECONDS)
            if needed:
                meta["CSRF_COOKIE_NEEDS_UPDATE"] = needed
        return html.replace(placeholder, get_token(self.request).encode())

    def finish(self, response: HttpResponse) -> HttpResponse:
        """The headers every answer gets: validator, caching rules, robots."""
        if self.conditional:
            # After rendering: a new visitor's token comes with a new CSRF cookie.
            response.headers.setdefault("ETag", self.etag())
        # Every page holds the visitor's CSRF token: browsers only, and always revalidated.
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ["Cookie"])
        return response if self.registry.privacy == Registry.Privacy.PUBLIC else noindex(response)


# Views -----------------------------------------------------------------
@require_safe
def registry(request: HttpRequest, slug: str) -> HttpResponse:
    """The registry's public page: the couple, then the gifts, filtered and sorted.

    Cached in layers (see the module docstring): a conditional GET is
    answered 304 from the registry row alone; a visitor without a session
    gets the whole page from one cache entry; anyone else gets a page whose
    hero, gift list and gift cards come from versioned fragments.
    """
    registry = _registry_or_404(slug)
    owner = is_owner(request, registry)
    if locked := gate(request, registry, owner=owner):
        return locked
    # The couple may have chosen not to see what was reserved before the event.
    show_state = not owner or registry.owner_view() != Registry.Spoilers.NONE
    page = _Page(request, registry, owner, show_state)
    if page.conditional and "HTTP_IF_NONE_MATCH" in request.META:
        not_modified = get_conditional_response(request, etag=page.etag())
        if not_modified is not None:
            return page.finish(not_modified)
    if page.shared:
        return page.finish(HttpResponse(page.shared_html()))
    return page.finish(render(request, TEMPLATE, page.context()))


@limit("WHISPER_RATE_PASSPHRASE")
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


@limit("WHISPER_RATE_SEARCH", method=["GET", "HEAD"])
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
