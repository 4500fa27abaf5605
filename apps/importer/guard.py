"""Refuse to fetch from internal addresses (SSRF guard).

Fetching a URL a user gave us must never reach our own network: loopback,
private, link-local, site-local, multicast, reserved, unspecified or
otherwise non-global addresses are refused, and so is any IPv6 address that
carries an IPv4 address inside it (mapped, IPv4-compatible, NAT64, 6to4,
Teredo) whose IPv4 address is internal — on a host with NAT64 or a 6to4
relay those reach the IPv4 address itself. Names are resolved (within the
fetch's deadline) and *every* address checked; the connection is then made
to a checked address, and the connected peer is checked once more.

Tests run a product-page server on loopback; ``IMPORTER_ALLOWED_ADDRESSES``
(``"127.0.0.1:8123"`` entries or networks such as ``"10.1.0.0/16"``) lets
exactly those through, and nothing else.

>>> is_internal("127.0.0.1"), is_internal("10.0.0.7"), is_internal("169.254.169.254")
(True, True, True)
>>> is_internal("::ffff:127.0.0.1"), is_internal("64:ff9b::a9fe:a9fe"), is_internal("2002:7f00:1::")
(True, True, True)
>>> is_internal("93.184.216.34"), is_internal("64:ff9b::5db8:d822"), is_internal("2606:4700::1111")
(False, False, False)
"""

from __future__ import annotations

import ipaddress
import socket
import threading

from django.conf import settings

from .errors import Blocked, TimedOut, Unresolvable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 ranges whose last 32 bits are an IPv4 address the traffic goes to:
# IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks)
# and the well-known NAT64 prefix (RFC 6052).
_LAST_32_BITS_IPV4 = (ipaddress.ip_network("::/96"), ipaddress.ip_network("64:ff9b::/96"))
# Not globally reachable, though Python's ipaddress (as of 3.11) calls them global:
# IETF protocol assignments, local-use NAT64 (RFC 8215: the operator picks
# where the IPv4 address sits, so the whole range is internal), site-local,
# SRv6 SIDs and the newer documentation range.
_NOT_GLOBAL = tuple(
    ipaddress.ip_network(network)
    for network in ("192.0.0.0/24", "64:ff9b:1::/48", "fec0::/10", "5f00::/16", "3fff::/20")
)


def _as_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that ``ip`` stands for (mapped, IPv4-compatible, NAT64), if any.

    >>> _as_ipv4(ipaddress.IPv6Address("64:ff9b::7f00:1")), _as_ipv4(ipaddress.IPv6Address("2001:db8::1"))
    (IPv4Address('127.0.0.1'), None)
    """
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if any(ip in network for network in _LAST_32_BITS_IPV4):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_internal_ip(ip: IPAddress) -> bool:
    return (
        any(ip in network for network in _NOT_GLOBAL)
        or not ip.is_global
        or ip.is_private
        or ip.is_reserved
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
    )


def is_internal(address: str) -> bool:
    """Whether ``address`` (IPv4 or IPv6, with or without a %zone) may reach our own network."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        as_ipv4 = _as_ipv4(ip)
        if as_ipv4 is not None:  # the IPv4 address is where the packets go
            return _is_internal_ip(as_ipv4)
        # 6to4 tunnels to the IPv4 address inside: that address decides (Python's own answer
        # for 2002::/16 changed between 3.11 releases: Debian's 3.11.2 calls it private).
        if ip.sixtofour is not None:
            return _is_internal_ip(ip.sixtofour)
        # Teredo tunnels to the IPv4 addresses inside (its client one inverted).
        if any(_is_internal_ip(v4) for v4 in (ip.teredo or ())):
            return True
    return _is_internal_ip(ip)


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
    """Raise Blocked unless ``address:port`` may be fetched from."""
    if is_internal(address) and not _allowed(address, port):
        raise Blocked()


def resolve(host: str, port: int, timeout: float) -> list[str]:
    """The addresses ``host`` resolves to, every one checked; within ``timeout`` seconds.

    The system resolver cannot be interrupted, so it runs in a thread of its
    own that we stop waiting for (it ends by itself when the resolver gives up).
    """
    answer: list = []

    def lookup() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            answer.append(exc)

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(timeout)
    if not answer:
        raise TimedOut()
    if isinstance(answer[0], Exception) or not answer[0]:
        raise Unresolvable(host=host)
    addresses = [info[4][0] for info in answer[0]]
    for address in addresses:
        check_address(address, port)
    return addresses
