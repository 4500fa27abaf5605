"""Caching helpers: a memcached backend that keeps its connections, the keys of
versioned fragments and pages, ETags, and Django's site-wide cache limited to
the marketing pages and to visitors without a session.
"""

from __future__ import annotations

import hashlib
import os
import threading
import zlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache.backends.memcached import PyMemcacheCache
from django.core.cache.utils import make_template_fragment_key
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from pymemcache.client.rendezvous import RendezvousHash

from apps.core import patches

# Versioned keys never go stale, so these only bound how long an unused
# entry may sit in memcached (its LRU evicts sooner when memory is short).
FRAGMENT_SECONDS = 7 * 24 * 3600


# The memcached backend ------------------------------------------------------
patches.read_memcached_in_64kb()  # pymemcache's 4 KB reads: forty for a 160 KB page


class CrcRendezvousHash(RendezvousHash):
    """pymemcache's rendezvous hashing over zlib's C ``crc32`` instead of its pure-Python murmur3.

    pymemcache's ``HashClient`` hashes every key against every server to pick
    one; in pure Python that costs more than the memcached round trip of a
    small value. With a single server there is nothing to pick.

    >>> ring = CrcRendezvousHash()
    >>> ring.add_node("10.0.0.1:11211")
    >>> ring.get_node("any-key")
    '10.0.0.1:11211'
    >>> ring.add_node("10.0.0.2:11211")
    >>> sorted({ring.get_node(f"key-{n}") for n in range(50)})  # spread, and the same on every node
    ['10.0.0.1:11211', '10.0.0.2:11211']
    """

    def __init__(self) -> None:
        super().__init__(hash_function=lambda text, seed: zlib.crc32(text.encode(), seed))

    def get_node(self, key: str):
        if len(self.nodes) == 1:
            return self.nodes[0]
        return super().get_node(key)


class PersistentPyMemcacheCache(PyMemcacheCache):
    """``PyMemcacheCache`` whose connections to memcached outlive the request.

    Django connects ``close_caches`` to ``request_finished``, and
    ``PyMemcacheCache.close()`` disconnects every socket: each request then
    pays a new TCP connection per memcached server on its first cache call,
    which on a warm page costs more than the cache lookup itself. Here
    ``close()`` keeps them (as Django's own pylibmc backend does), and every
    instance of the backend in a process shares one pymemcache ``HashClient``
    per server list and options, built with ``use_pooling`` so that its
    ``PooledClient``\\ s hand each thread a connection of its own: Django
    makes one backend instance per thread (and per asyncio context), which
    would otherwise each hold sockets that nobody closes. A broken socket is
    dropped by pymemcache and reopened on the next call; with
    ``ignore_exc`` (set in the settings) a memcached outage reads as misses.
    Keys are spread over servers by :class:`CrcRendezvousHash`, and values
    read in 64 KB chunks (``apps.core.patches``). The client is per process
    (the pid is part of its key), so a forked worker never shares a socket
    with its parent.
    """

    _clients: dict[tuple, object] = {}
    _clients_lock = threading.Lock()

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._options = {"use_pooling": True, "hasher": CrcRendezvousHash, **self._options}

    @cached_property
    def _cache(self):
        key = (os.getpid(), tuple(self.client_servers), repr(sorted(self._options.items())))
        client = self._clients.get(key)
        if client is None:
            with self._clients_lock:
                client = self._clients.get(key)
                if client is None:
                    client = self._clients[key] = self._class(self.client_servers, **self._options)
        return client

    def close(self, **kwargs) -> None:
        """Keep the connections open for the next request (see the class docstring)."""


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


def etag(*parts: object) -> str:
    """A weak ETag (``W/"…"``) that changes whenever one of ``parts`` does.

    Weak: two responses with one ETag show the same thing, but need not be
    byte for byte the same (a masked CSRF token differs, nginx may gzip).

    >>> etag("registry", 1, 5)
    'W/"4b86fd52f55eff73caf278d7"'
    >>> etag("registry", 1, 6) != etag("registry", 1, 5)
    True
    """
    text = "\x1f".join(str(part) for part in parts)
    return f'W/"{hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()[:24]}"'


def has_visitor_state(request: HttpRequest) -> bool:
    """Whether the request carries a session or pending messages (by their cookies).

    Without either, nothing on a page can be particular to this visitor: no
    login, no unlocked passphrase, no message to show. Reading cookies
    never loads the session.
    """
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies


# The site-wide cache, for the marketing pages and anonymous visitors only ------
class _PagesOnly:
    """What the two middleware share: when they are on, and which requests they may touch."""

    def __init__(self, get_response) -> None:
        # Off under DEBUG (template edits show at once) and when the timeout is 0.
        if settings.DEBUG or settings.CACHE_MIDDLEWARE_SECONDS <= 0:
            raise MiddlewareNotUsed
        super().__init__(get_response)

    @cached_property
    def _paths(self) -> frozenset[str]:
        paths = set()
        for name in settings.CACHE_MIDDLEWARE_PAGES:
            try:
                paths.add(reverse(name))
            except NoReverseMatch:
                continue
        return frozenset(paths)

    def _cacheable(self, request: HttpRequest) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and request.path_info in self._paths
            and not has_visitor_state(request)
        )


class AnonymousUpdateCacheMiddleware(_PagesOnly, UpdateCacheMiddleware):
    """Django's ``UpdateCacheMiddleware`` for the pages in ``CACHE_MIDDLEWARE_PAGES``.

    First in ``MIDDLEWARE`` (after the timelog). It stores only what
    :class:`AnonymousFetchFromCacheMiddleware` marked as a miss, so only
    pages of visitors without a session or messages — never a logged-in
    couple's page with their own navigation and CSRF token.
    """

    def _should_update_cache(self, request: HttpRequest, response: HttpResponse) -> bool:
        return self._cacheable(request) and super()._should_update_cache(request, response)


class AnonymousFetchFromCacheMiddleware(_PagesOnly, FetchFromCacheMiddleware):
    """Django's ``FetchFromCacheMiddleware`` for anonymous visitors of the marketing pages.

    Last in ``MIDDLEWARE``. Any other request passes untouched: no cache
    lookup, and none of the ``_cache_update_cache`` marks the timelog reads.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if not self._cacheable(request):
            return None
        return super().process_request(request)
