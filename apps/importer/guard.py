"""Refuse to fetch from internal addresses (SSRF guard).

Fetching a URL a user gave us must never reach our own network: loopback,
private, link-local, multicast, reserved or otherwise non-global addresses
are refused. Names are resolved and *every* address checked before we
connect, and the address actually connected to is checked again (so a name
that changes its answer between the two, DNS rebinding, is caught too).

Tests run a product-page server on loopback; ``IMPORTER_ALLOWED_ADDRESSES``
(``"127.0.0.1:8123"`` entries or networks such as ``"10.1.0.0/16"``) lets
exactly those through, and nothing else.

>>> is_internal("127.0.0.1"), is_internal("10.0.0.7"), is_internal("169.254.169.254")
(True, True, True)
>>> is_internal("::ffff:127.0.0.1"), is_internal("93.184.216.34")
(True, False)
"""

from __future__ import annotations

import ipaddress
import socket

from django.conf import settings


class BlockedAddress(Exception):
    """The URL points at an address we must not fetch from."""


def is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _allowed(address: str, port: int) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    for entry in getattr(settings, "IMPORTER_ALLOWED_ADDRESSES", ()):
        if "/" in entry:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        else:
            host, _, entry_port = entry.rpartition(":")
            if host.strip("[]") == str(ip) and int(entry_port) == port:
                return True
    return False


def check_address(address: str, port: int) -> None:
    """Raise BlockedAddress unless ``address:port`` may be fetched from."""
    if is_internal(address) and not _allowed(address, port):
        raise BlockedAddress(f"{address} is an internal address")


def check_host(host: str, port: int) -> None:
    """Resolve ``host`` and check every address it resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise BlockedAddress(f"could not resolve {host}") from exc
    if not infos:
        raise BlockedAddress(f"could not resolve {host}")
    for info in infos:
        check_address(info[4][0], port)
