"""An HTTP client for fetching other people's pages, safely.

requests with: only http/https, the SSRF guard on the resolved addresses
(the connection goes to a checked address) and on the connected socket,
redirects followed by hand (each hop re-checked), a cap on bytes read, no
proxies from the environment, a clear User-Agent, and a wall-clock
:class:`Deadline` over everything — name lookups, connecting, headers,
body, every redirect and the image after the page. Socket timeouts alone
cannot give that (they restart with every byte, so a server trickling one
byte a second would hold us for ever): when the deadline passes, a timer
shuts the fetch's sockets down under whatever read is waiting.
"""

from __future__ import annotations

import contextlib
import contextvars
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error

from .errors import (
    BadLink,
    HttpError,
    ImportFailed,
    NotHtml,
    NotImage,
    TimedOut,
    TooLarge,
    TooManyRedirects,
    Unreachable,
)
from .guard import check_address, resolve

MAX_REDIRECTS = 4


class Deadline:
    """A point in time by which a fetch (or several) must be over; a context manager.

    Sockets opened under it are shut down when it passes, which ends any
    read waiting on them at once.
    """

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        """Seconds left; raises TimedOut when there are none."""
        left = self.at - time.monotonic()
        if self.expired or left <= 0:
            raise TimedOut()
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if not self.expired:
                return
        _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


# The fetch under way in this thread: its deadline and the checked address of each host.
_current: contextvars.ContextVar[tuple[Deadline, dict]] = contextvars.ContextVar("importer_fetch")


@dataclass
class Response:
    url: str
    status: int
    content_type: str
    body: bytes


class _GuardedConnectionMixin:
    def _new_conn(self):
        deadline, pinned = _current.get()
        # Connect to the addresses the guard checked (the first that answers), not to
        # a second answer of the resolver: that lookup could not be bounded.
        name = self._dns_host
        addresses = pinned.get((name, self.port), [name])
        try:
            for address in addresses:
                self._dns_host = address
                try:
                    sock = super()._new_conn()
                    break
                except Urllib3Error:
                    if address == addresses[-1] or deadline.expired:
                        raise
        finally:
            self._dns_host = name  # the Host header and TLS keep the name
        deadline.watch(sock)
        peer = sock.getpeername()
        try:
            check_address(peer[0], peer[1])
        except ImportFailed:
            sock.close()
            raise
        return sock


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies or netrc from the environment
    adapter = _GuardedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = settings.IMPORTER_USER_AGENT
    return session


def _check_url(url: str, deadline: Deadline, pinned: dict) -> None:
    """Refuse odd links; resolve the host (every address checked) and pin its addresses."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise BadLink() from exc
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise BadLink()
    host = parts.hostname
    pinned[(host, port)] = resolve(host, port, deadline.remaining())


def fetch(url: str, *, accept: tuple[str, ...], max_bytes: int, deadline: Deadline) -> Response:
    """GET ``url`` before ``deadline``; the body's content type must start with one of ``accept``.

    Raises an :class:`~apps.importer.errors.ImportFailed` saying why not.
    """
    pinned: dict = {}
    token = _current.set((deadline, pinned))
    try:
        with _session() as session:
            for _hop in range(MAX_REDIRECTS + 1):
                _check_url(url, deadline, pinned)
                try:
                    response = _get(session, url, accept, max_bytes, deadline)
                except (requests.RequestException, Urllib3Error, OSError) as exc:
                    if deadline.expired or isinstance(exc, requests.Timeout):
                        raise TimedOut() from exc
                    raise Unreachable() from exc
                if isinstance(response, Response):
                    return response
                url = response  # a redirect
            raise TooManyRedirects()
    finally:
        _current.reset(token)


def _get(session: requests.Session, url: str, accept, max_bytes: int, deadline: Deadline) -> Response | str:
    """One hop: the response, or the URL it redirects to."""
    left = deadline.remaining()
    timeout = (min(settings.IMPORTER_CONNECT_TIMEOUT, left), min(settings.IMPORTER_READ_TIMEOUT, left))
    with session.get(url, stream=True, allow_redirects=False, timeout=timeout) as resp:
        # Headers cut short by the deadline parse as complete ones: they are not.
        deadline.remaining()
        if resp.is_redirect:
            location = resp.headers.get("Location", "")
            if not location:
                raise HttpError(status=resp.status_code)
            return urljoin(url, location)
        if resp.status_code != 200:
            raise HttpError(status=resp.status_code)
        content_type = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if not content_type.startswith(accept):
            raise NotHtml() if "text/html" in accept else NotImage()
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge()
        body = bytearray()
        for chunk in resp.iter_content(chunk_size=16384):
            body += chunk
            if len(body) > max_bytes:
                raise TooLarge()
            deadline.remaining()
        deadline.remaining()  # a body cut short by the deadline reads as a whole one
        return Response(url=url, status=resp.status_code, content_type=content_type, body=bytes(body))
