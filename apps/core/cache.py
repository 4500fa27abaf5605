"""Caching helpers: the keys of versioned fragments and pages, ETags, and the
headers that let the caches in front (nginx, a CDN) share a page between
visitors without a session (docs/caching.md).
"""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache, wraps
from pathlib import Path

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache.utils import make_template_fragment_key
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers

# Versioned keys never go stale, so these only bound how long an unused
# entry may sit in memcached (its LRU evicts sooner when memory is short).
FRAGMENT_SECONDS = 7 * 24 * 3600


# Keys and ETags --------------------------------------------------------------
def _template_files() -> list[Path]:
    return sorted(
        path
        for config in settings.TEMPLATES
        for folder in config.get("DIRS", [])
        for path in Path(folder).rglob("*")
        if path.is_file()
    )


@cache
def _code_version(release: str, stamp: tuple) -> str:
    digest = hashlib.md5(release.encode(), usedforsecurity=False)
    for path in _template_files():
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    # Hashed static names (ManifestStaticFilesStorage) change with each
    # stylesheet: a page cached before a deploy would link to old files.
    read_manifest = getattr(staticfiles_storage, "read_manifest", None)
    if read_manifest is not None:
        digest.update((read_manifest() or "").encode())
    return digest.hexdigest()[:12]


def code_version() -> str:
    """A short digest of what the deployed code renders with: templates, static names, release.

    Part of every cached page's key and ETag, so that a deploy which changes
    a template never serves pages cached (or revalidated) under the old one.
    Computed once per process; under DEBUG again whenever a template file
    changes (development edits templates without restarting).
    """
    stamp: tuple = ()
    if settings.DEBUG:
        stamp = tuple((str(path), path.stat().st_mtime_ns) for path in _template_files())
    return _code_version(getattr(settings, "SENTRY_RELEASE", ""), stamp)


def fragment_key(name: str, *vary_on: object) -> str:
    """The cache key of ``{% cache … name vary_on… %}`` (Django's own scheme).

    >>> fragment_key("registry-item", 7, 3) == fragment_key("registry-item", 7, 3)
    True
    >>> fragment_key("registry-item", 7, 3) == fragment_key("registry-item", 7, 4)
    False
    """
    return make_template_fragment_key(name, [str(part) for part in vary_on])


@lru_cache(maxsize=4096)  # (a revalidated page asks for the same tag again and again)
def etag(*parts: object, strong: bool = False) -> str:
    """A weak ETag (``W/"…"``), or a ``strong`` one, that changes whenever one of ``parts`` does.

    Weak: two responses with one ETag show the same thing, but need not be
    byte for byte the same (a masked CSRF token differs, nginx may gzip).
    Strong only where the bytes are the same (the shared public page, one
    tag per encoding).

    >>> etag("registry", 1, 5)
    'W/"4b86fd52f55eff73caf278d7"'
    >>> etag("registry", 1, 5, strong=True)
    '"4b86fd52f55eff73caf278d7"'
    >>> etag("registry", 1, 6) != etag("registry", 1, 5)
    True
    """
    text = "\x1f".join(str(part) for part in parts)
    tag = f'"{hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()[:24]}"'
    return tag if strong else f"W/{tag}"


def has_visitor_state(request: HttpRequest) -> bool:
    """Whether the request carries a session or pending messages (by their cookies).

    Without either, nothing on a page can be particular to this visitor: no
    login, no unlocked passphrase, no message to show. Reading cookies
    never loads the session.
    """
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME in cookies
        or CookieStorage.cookie_name in cookies
        or FRESH_COOKIE in cookies
    )


# A visitor who has just changed something (any POST: a guest's reservation, a
# couple's edit) carries this cookie for the staleness bound and one second
# more: the caches in front pass their requests to Django (deploy's nginx
# bypasses on it, as on the session and messages cookies), so they see their
# own change at once, even on a page they reach after the message was shown.
FRESH_COOKIE = "whisper_fresh"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class FreshAfterWriteMiddleware:
    """Give the author of any write :data:`FRESH_COOKIE` for the staleness bound + 1 s (docs/caching.md)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in _SAFE_METHODS and response.status_code < 500:
            response.set_cookie(
                FRESH_COOKIE,
                "1",
                max_age=settings.WHISPER_SHARED_CACHE_SECONDS + settings.WHISPER_REGISTRY_ROW_SECONDS + 1,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


# Pages shared by the caches in front (nginx, a CDN) --------------------------
# What may differ between two responses of one URL to visitors without a
# session: the encoding, and the language (the django_language cookie, else
# Accept-Language; apps.registries.access.speak_registry_language).
SHARED_VARY = ("Accept-Encoding", "Accept-Language", "Cookie")
PRIVATE = "private, no-cache"
STALE_IF_ERROR_SECONDS = 24 * 3600  # when Django is down, a day-old page beats an error


@cache  # (one bound per process: the header is built once)
def shared_cache_control(bound: int) -> str:
    """``Cache-Control`` of a page any cache may share, served at most ``bound`` seconds stale.

    Browsers revalidate every time (``max-age=0``: a 304 from the cache in
    front); shared caches keep it ``s-maxage`` seconds, and serve it stale
    while they revalidate for ``stale-while-revalidate`` more. nginx counts
    in whole seconds, so it may serve an answer up to one second past those:
    the two add up to ``bound - 1``. While Django answers errors, a stale
    page is served for a day instead.

    >>> shared_cache_control(2)
    'public, max-age=0, s-maxage=1, stale-if-error=86400'
    >>> shared_cache_control(10)
    'public, max-age=0, s-maxage=5, stale-while-revalidate=4, stale-if-error=86400'
    """
    fresh = max(1, bound // 2)
    stale = bound - fresh - 1
    parts = ["public", "max-age=0", f"s-maxage={fresh}"]
    parts += [f"stale-while-revalidate={stale}"] * (stale > 0)
    return ", ".join([*parts, f"stale-if-error={STALE_IF_ERROR_SECONDS}"])


def share(response: HttpResponse) -> HttpResponse:
    """Mark ``response`` as one page for every visitor without a session (its ETag set by the caller)."""
    response.headers["Cache-Control"] = shared_cache_control(settings.WHISPER_SHARED_CACHE_SECONDS)
    _vary(response)
    return response


def keep_private(response: HttpResponse) -> HttpResponse:
    """Mark ``response`` as this visitor's own: browsers only, always revalidated."""
    response.headers["Cache-Control"] = PRIVATE
    _vary(response)
    return response


_SHARED_VARY_HEADER = ", ".join(SHARED_VARY)


def _vary(response: HttpResponse) -> None:
    headers = response.headers
    if "Vary" in headers:
        patch_vary_headers(response, SHARED_VARY)
    else:  # (the usual case, and a 304's: written at once, not parsed and merged)
        headers["Vary"] = _SHARED_VARY_HEADER


def shared_with_guests(view):
    """For a page that is the same for every visitor without a session or messages (home, pricing, FAQ).

    Such a visitor's answer is shared by the caches in front (:func:`share`),
    with a strong ETag of its bytes (and of the code's version) and a 304
    when it matches; everyone else's stays private. A page that set a cookie
    or asked for the visitor's CSRF token while rendering is never shared.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code != 200
            or response.streaming
            or response.cookies
            or has_visitor_state(request)
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            return keep_private(response)
        # The code's version too: a deploy's first answer carries its own headers (the
        # release's), where a 304 would keep the cache's copy of the old ones.
        digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        response.headers["ETag"] = etag(code_version(), digest, strong=True)
        return get_conditional_response(request, etag=response["ETag"], response=share(response))

    return wrapper
