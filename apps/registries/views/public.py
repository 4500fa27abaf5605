"""The guests' side of a registry: the public page, the passphrase gate and search.

Guests never log in; a protected registry asks for its passphrase
(``apps.registries.access.gate``), and its owners always get in.

The public page is the busiest page of the site and is cached in layers keyed
by the registry's and items' ``cache_version`` (see :class:`_Page`). For a
guest without a session, the registry row comes from the web process's
short-lived copy (:mod:`apps.registries.rows`) and the page from the
process's memory or memcached: a conditional GET or a warm page costs no
query and no network round trip. Anyone else pays one query for the row. An
uncached page takes a constant handful of queries whatever the number of
gifts.

That shared page says so in its headers (public, a strong ETag per
encoding, ``Vary``), and the cache in front, nginx's or a CDN's, serves it
to such visitors for at most ``WHISPER_SHARED_CACHE_SECONDS`` (docs/caching.md);
every other answer is private.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db.models import Count, Window
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, HttpResponseRedirect, QueryDict
from django.middleware.gzip import re_accepts_gzip  # how Django's GZipMiddleware reads Accept-Encoding
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.text import compress_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from apps.core.cache import (
    FRAGMENT_SECONDS,
    code_version,
    etag,
    fragment_key,
    has_visitor_state,
    keep_private,
    share,
)
from apps.core.ratelimit import limit, over_limit
from apps.ops import flags, read_only
from apps.registries import rows
from apps.registries.access import gate, is_owner, noindex, remember_unlocked, speak_registry_language
from apps.registries.cards import render_cards
from apps.registries.models import Registry
from apps.registries.public_forms import ItemFilterForm, PassphraseForm, SearchForm

SEARCH_RESULTS = 50
# Gifts on the first view of the public page; "show all" lists the rest (a light page on a phone).
GIFTS_SHOWN = 24
PROCESS_CACHE = "process"  # whisper/settings/base.py
# Headers that are evaluated before If-None-Match (get_conditional_response does it all).
_PRECONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


def _wrong_tries_exhausted(request: HttpRequest, registry: Registry, count_this_one: bool = False) -> bool:
    """Whether this address used up its wrong passphrases for ``registry`` (a setting, as every limit)."""
    return over_limit(
        request,
        "WHISPER_RATE_WRONG_PASSPHRASE",
        group=f"registries.passphrase:{registry.pk}",
        increment=count_this_one,
    )


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


def _process_cache():
    """This process's own page cache (``CACHES["process"]``), or memcached's if there is none."""
    return caches[PROCESS_CACHE if PROCESS_CACHE in settings.CACHES else DEFAULT_CACHE_ALIAS]


class _Gifts:
    """The gift list of one variant, read from the database only when a template asks.

    On a cache hit the fragments holding the list are not rendered, so
    neither the categories nor the items are ever queried.
    """

    def __init__(self, registry: Registry, params: QueryDict, show_state: bool) -> None:
        self.registry, self.params, self.show_state = registry, params, show_state

    @cached_property
    def form(self) -> ItemFilterForm:
        # The categories and the currencies in one query.
        pairs = list(self.registry.items.visible().order_by().values_list("category", "currency").distinct())
        categories = sorted({category for category, _currency in pairs if category})
        return ItemFilterForm(
            self.params,
            categories=categories,
            with_available=self.show_state,
            currencies=list({currency for _category, currency in pairs}),
            home_currency=self.registry.currency,
        )

    @cached_property
    def showing_all(self) -> bool:
        return self.form.is_valid() and self.form.cleaned_data.get("show") == "all"

    @property
    def _listed(self):
        """The gifts of the list, filtered and sorted as the visitor asked (a query not yet run)."""
        return self.form.apply(self.registry.items.visible().exclude(kind="fund"))

    @cached_property
    def items(self) -> list:
        """Every gift of the list (the first ``GIFTS_SHOWN`` are ``shown``, with the count)."""
        return list(self._listed)

    @cached_property
    def funds(self) -> list:
        """The couple's funds (honeymoon, first home…), shown above the gifts, whatever the filters."""
        return list(self.registry.items.visible().funds())

    @cached_property
    def shown(self) -> list:
        """The gifts the page lists: the first ``GIFTS_SHOWN``, or all of them when asked.

        Only those are read (with the number of them all, in the same query):
        a list of 200 gifts costs no more than one of 24.
        """
        if self.showing_all:
            return self.items
        return list(self._listed.annotate(listed_count=Window(Count("pk")))[:GIFTS_SHOWN])

    @cached_property
    def count(self) -> int:
        """How many gifts the list holds."""
        if self.showing_all:
            return len(self.items)
        return self.shown[0].listed_count if self.shown else 0

    @property
    def more(self) -> int:
        """How many gifts are behind "show all"."""
        return self.count - len(self.shown)

    @property
    def all_query(self) -> str:
        """The query string of this list with every gift shown."""
        return urlencode([*((k, v) for k, v in self.params.items() if k in FILTER_PARAMS), ("show", "all")])

    @cached_property
    def warning(self) -> str:
        """What the page says about filters it could not understand (and ignored)."""
        if ignored := self.form.ignored():
            return ngettext(
                "We ignored a filter we couldn't understand: %(filters)s.",
                "We ignored filters we couldn't understand: %(filters)s.",
                len(ignored),
            ) % {"filters": ", ".join(ignored)}
        return ""


class _Page:
    """One request for a registry's public page: its cache keys, ETag and headers.

    Three layers, each keyed by versions that the services bump on every
    change guests can see (``Registry.cache_version``, ``Item.cache_version``):

    - conditional GET: the ETag is computed from the registry row alone, and
      a match is answered 304 before anything is rendered;
    - the whole page, for visitors without a session or pending messages
      (nothing on it is theirs: no login, no CSRF token, since the "bought
      something else" form is a page of its own): one cache entry;
    - versioned template fragments (``registries/public.html``) for everyone
      else: the hero and the gift list by the registry's version, each card
      by its item's version, so that one reservation re-renders one card.
      Per-visitor parts (the navigation, CSRF tokens, messages, the owner's
      note) stay outside them.
    """

    def __init__(
        self, request: HttpRequest, registry: Registry, *, owner: bool, show_state: bool, anonymous: bool
    ) -> None:
        """``anonymous``: the request carries no session and no messages (``has_visitor_state``)."""
        self.request, self.registry, self.owner, self.show_state = request, registry, owner, show_state
        # (No query string, no filters: the QueryDict is not even parsed.)
        self.variant = filter_variant(request.GET) if request.META.get("QUERY_STRING") else ""
        # Messages are shown once: such a page is neither shared nor revalidated.
        self.conditional = anonymous or not len(messages.get_messages(request))
        # (A protected registry never: its guests come through the gate with a session.)
        self.shared = anonymous and not registry.is_protected
        self._etag = ""  # as computed for the conditional GET, while nothing else has changed
        # Before the event, after it (belated gifts welcome), closed: the page changes with
        # the couple's calendar though no row does, so the phase is part of every key.
        self.phase = registry.phase()
        # Asked once (each is a lookup through settings or a context-local): in every key and tag.
        self.language = translation.get_language()
        self.code_version = code_version()

    def _visitor(self) -> str:
        if self.shared:
            return "guest"  # no session: nobody logged in, nothing unlocked
        user = self.request.user
        if user.is_authenticated:
            return f"{'owner' if self.owner else 'user'}:{user.pk}"
        return "unlocked" if self.registry.is_protected else "guest"

    def etag(self) -> str:
        """The ETag of what this visitor would get now, from the registry row and the request.

        The CSRF cookie is part of it when the page holds a token (the
        logout form of a logged-in visitor): a page revalidated with another
        cookie would hold a token that no longer matches it. The shared page
        is the same bytes for everyone: its tag is strong, one per encoding.
        """
        registry = self.registry
        return etag(
            self.code_version,
            registry.pk,
            registry.cache_version,
            self.variant,
            self.phase,
            self.show_state,
            self._visitor(),
            "" if self.shared else self.request.META.get("CSRF_COOKIE", ""),
            read_only.for_request(self.request),
            self.language,
            self._encoding(),
            strong=self.shared,
        )

    def _encoding(self) -> str:
        """How the shared page goes out to this browser: "gzip" (the stored copy) or as it is ("")."""
        if self.shared and re_accepts_gzip.search(self.request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return "gzip"
        return ""

    def _page_key(self) -> str:
        registry = self.registry
        return fragment_key(
            "registry-page-gz",  # (html, gzipped html); plain "registry-page" held html alone
            registry.pk,
            registry.cache_version,
            self.variant,
            self.phase,
            read_only.for_request(self.request),
            self.language,  # every language its own page
            self.code_version,
        )

    def context(self, **extra) -> dict:
        """The template's context; the gift list in it is evaluated only on a fragment miss."""
        gifts = _Gifts(self.registry, self.request.GET, self.show_state)
        shared_flags = flags.RequestFlags(None)
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
            "flags": shared_flags,
            "cards": SimpleLazyObject(
                lambda: render_cards(
                    gifts.shown,
                    registry=self.registry,
                    show_state=self.show_state,
                    phase=self.phase,
                    flags=shared_flags,
                )
            ),
            "indexable": self.registry.privacy == Registry.Privacy.PUBLIC,
            "phase": self.phase,
            "valid_until": self.registry.token_valid_until(),
            "fragment_seconds": FRAGMENT_SECONDS,
            "code_version": self.code_version,
            "language": self.language,  # in the fragments' keys
            **extra,
        }

    def shared_response(self) -> HttpResponse:
        """The page every visitor without a session gets: the same bytes for all of them.

        Gzipped once, when it is stored, for browsers that accept it (all of
        them): nginx passes a compressed answer through instead of
        compressing 160 KB on every request. Nothing on the page is secret
        (no token, no personal data), so compression leaks nothing (BREACH).
        """
        html, gzipped = self._shared_page()
        if gzipped is None:
            self.shared = False  # something on it turned out to be this visitor's own
        elif self._encoding() == "gzip":
            response = HttpResponse(gzipped)
            response.headers["Content-Encoding"] = "gzip"
            return response
        return HttpResponse(html)

    def _shared_page(self) -> tuple[bytes, bytes | None]:
        """The shared page and its gzipped copy (None if the page turned out not to be shareable).

        From this process's memory if it served the page since it last
        changed, else from memcached (and kept in memory), else rendered.
        """
        key = self._page_key()
        page = _process_cache().get(key)
        if page is not None:
            return page
        page = caches[DEFAULT_CACHE_ALIAS].get(key)
        if not (isinstance(page, tuple) and len(page) == 2):  # a miss (or what older code stored)
            # Nothing on the page may be the visitor's own: if anything asked
            # for a CSRF token while rendering, the page is not shared.
            meta = self.request.META
            needed = meta.pop("CSRF_COOKIE_NEEDS_UPDATE", None)
            html = render_to_string(TEMPLATE, self.context(), self.request).encode()
            shareable = not meta.get("CSRF_COOKIE_NEEDS_UPDATE")
            if needed:
                meta["CSRF_COOKIE_NEEDS_UPDATE"] = needed
            if not shareable:
                return html, None
            page = (html, compress_string(html))
            caches[DEFAULT_CACHE_ALIAS].set(key, page, FRAGMENT_SECONDS)
        _process_cache().set(key, page, FRAGMENT_SECONDS)
        return page

    def not_modified(self) -> HttpResponse | None:
        """A 304 if the request's ``If-None-Match`` holds the page's current ETag, else None."""
        self._etag = self.etag()
        meta = self.request.META
        if meta["HTTP_IF_NONE_MATCH"] == self._etag and not any(name in meta for name in _PRECONDITIONS):
            return HttpResponseNotModified()  # the ETag sent back as it was given: the usual case
        return get_conditional_response(self.request, etag=self._etag)

    def finish(self, response: HttpResponse) -> HttpResponse:
        """The headers every answer gets: validator, caching rules, robots."""
        if self.conditional and "ETag" not in response:
            # Computed again after rendering, unless the page is shared: a
            # new visitor's token comes with a new CSRF cookie.
            response["ETag"] = self._etag if self._etag and self.shared else self.etag()
        # The shared page goes to the caches in front; any other may hold the
        # visitor's own parts (their navigation, a CSRF token): browsers
        # only, and always revalidated.
        response = share(response) if self.shared else keep_private(response)
        return response if self.registry.privacy == Registry.Privacy.PUBLIC else noindex(response)


# Views -----------------------------------------------------------------
@require_safe
def registry(request: HttpRequest, slug: str) -> HttpResponse:
    """The registry's public page: the couple, then the gifts (cached in layers: see ``_Page``)."""
    # No session and no messages: nobody is logged in, nothing is this visitor's own.
    anonymous = not has_visitor_state(request)
    registry = rows.registry_or_404(slug, shared=anonymous)
    speak_registry_language(request, registry)
    owner = not anonymous and is_owner(request, registry)
    if locked := gate(request, registry, owner=owner):
        return keep_private(locked)
    # The couple may have chosen not to see what was reserved before the event.
    # (Their day, their phase: the registry's own clock, whatever zone is active.)
    show_state = not owner or registry.owner_view() != Registry.Spoilers.NONE
    page = _Page(request, registry, owner=owner, show_state=show_state, anonymous=anonymous)
    conditional = page.conditional and "HTTP_IF_NONE_MATCH" in request.META
    if conditional and (not_modified := page.not_modified()) is not None:
        return page.finish(not_modified)  # nothing rendered, so no clock to set
    with registry.local_time():  # its days and times on the couple's clock
        if page.shared:
            return page.finish(page.shared_response())
        return page.finish(render(request, TEMPLATE, page.context()))


# Never from any cache: a form with the visitor's CSRF token, for a registry its couple keeps private.
@never_cache
@limit("WHISPER_RATE_PASSPHRASE")
@require_http_methods(["GET", "HEAD", "POST"])
def passphrase(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for a protected registry's passphrase, then go where the guest was headed."""
    registry = get_object_or_404(Registry, slug=slug)
    speak_registry_language(request, registry)
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = registry.get_absolute_url()
    if gate(request, registry) is None:
        return HttpResponseRedirect(next_url)

    form = PassphraseForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if _wrong_tries_exhausted(request, registry):
            form.add_error(None, _("Too many tries — please wait a minute, then try again."))
            status = 429
        elif form.is_valid():
            if registry.check_passphrase(form.cleaned_data["passphrase"]):
                remember_unlocked(request, registry)
                return HttpResponseRedirect(next_url)
            _wrong_tries_exhausted(request, registry, count_this_one=True)
            form.add_error("passphrase", _("That passphrase doesn't match. Please check and try again."))
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
    response = render(
        request, "registries/search.html", {"form": form, "query": query, "results": results, "more": more}
    )
    return noindex(keep_private(response))  # (not shared: each query its own, and rate-limited)
