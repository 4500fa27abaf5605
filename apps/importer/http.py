"""An HTTP client for fetching other people's pages, safely.

requests with: only http/https, the SSRF guard before connecting and on the
connected socket, redirects followed by hand (each hop re-checked), connect
and read timeouts, an overall deadline, a cap on bytes read, no proxies from
the environment and a clear User-Agent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .guard import BlockedAddress, check_address, check_host

MAX_REDIRECTS = 4


class FetchError(Exception):
    """A fetch that did not give us a usable response; the message is for the couple."""


@dataclass
class Response:
    url: str
    status: int
    content_type: str
    body: bytes


def _check_socket(sock) -> None:
    peer = sock.getpeername()
    try:
        check_address(peer[0], peer[1])
    except BlockedAddress:
        sock.close()
        raise


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        _check_socket(sock)
        return sock


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        _check_socket(sock)
        return sock


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


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError("Only http:// and https:// links can be imported.")
    if not parts.hostname:
        raise FetchError("That link has no host name.")
    if parts.username or parts.password:
        raise FetchError("Links with a user name or password can't be imported.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError("That link has an invalid port.") from exc
    try:
        check_host(parts.hostname, port)
    except BlockedAddress as exc:
        raise FetchError(
            "That address can't be fetched (it points to a private or internal network)."
        ) from exc


def fetch(url: str, *, accept: tuple[str, ...], max_bytes: int) -> Response:
    """GET ``url``; the body's content type must start with one of ``accept``."""
    deadline = time.monotonic() + settings.IMPORTER_TOTAL_TIMEOUT
    timeout = (settings.IMPORTER_CONNECT_TIMEOUT, settings.IMPORTER_READ_TIMEOUT)
    with _session() as session:
        for _hop in range(MAX_REDIRECTS + 1):
            _check_url(url)
            try:
                resp = session.get(url, stream=True, allow_redirects=False, timeout=timeout)
            except BlockedAddress as exc:
                raise FetchError(
                    "That address can't be fetched (it points to a private or internal network)."
                ) from exc
            except requests.Timeout as exc:
                raise FetchError("The store took too long to answer.") from exc
            except requests.RequestException as exc:
                raise FetchError("We couldn't reach that store.") from exc
            with resp:
                if resp.is_redirect:
                    location = resp.headers.get("Location", "")
                    if not location:
                        raise FetchError("The store sent a redirect without a destination.")
                    url = urljoin(url, location)
                    continue
                if resp.status_code != 200:
                    raise FetchError(f"The store answered with an error ({resp.status_code}).")
                content_type = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if not content_type.startswith(accept):
                    raise FetchError(
                        "That link isn't a web page we can read."
                        if "text/html" in accept
                        else "That isn't an image we can use."
                    )
                declared = resp.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError("That page is too large to import.")
                body = bytearray()
                try:
                    for chunk in resp.iter_content(chunk_size=16384):
                        body += chunk
                        if len(body) > max_bytes:
                            raise FetchError("That page is too large to import.")
                        if time.monotonic() > deadline:
                            raise FetchError("The store took too long to answer.")
                except requests.RequestException as exc:
                    raise FetchError("The store took too long to answer.") from exc
                return Response(url=url, status=resp.status_code, content_type=content_type, body=bytes(body))
        raise FetchError("The store redirected too many times.")
