"""The SSRF guard: every internal address refused, in every form IPv6 can wrap IPv4 in."""

from __future__ import annotations

import socket
import time

import pytest

from apps.importer import errors
from apps.importer.guard import is_internal, resolve

# Each IPv6 way of carrying an IPv4 address, around loopback, the cloud metadata
# address and a private network.
WRAPPED_INTERNAL = [
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "::127.0.0.1",  # IPv4-compatible
    "::a9fe:a9fe",
    "::10.0.0.1",
    "64:ff9b::7f00:1",  # NAT64, well-known prefix
    "64:ff9b::a9fe:a9fe",
    "64:ff9b::c0a8:101",
    "64:ff9b:1::7f00:1",  # NAT64, local-use prefix: internal whatever it embeds
    "64:ff9b:1:ffff::808:808",
    "2002:7f00:1::",  # 6to4
    "2002:a9fe:a9fe::1",
    "2002:a00:1:1::1",
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1 (inverted bits)
    "2001:0:808:808:8000:63bf:5601:56fe",  # Teredo, client 169.254.169.254
]
NATIVE_INTERNAL = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.7",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "192.0.0.8",
    "198.18.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "224.0.0.1",
    "::",
    "::1",
    "fe80::1%eth0",
    "fec0::1",  # site-local (deprecated, still routed inside some networks)
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "100::1",
    "2001:db8::1",
]
GLOBAL = [
    "93.184.216.34",
    "8.8.8.8",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",  # NAT64 of a public address: fine on an IPv6-only host
    "2002:808:808::1",
]


@pytest.mark.parametrize("address", WRAPPED_INTERNAL + NATIVE_INTERNAL)
def test_internal_addresses_are_internal(address):
    assert is_internal(address)


@pytest.mark.parametrize("address", GLOBAL)
def test_global_addresses_are_not(address):
    assert not is_internal(address)


@pytest.mark.parametrize("address", ["64:ff9b::7f00:1", "::127.0.0.1", "2002:7f00:1::", "fec0::1", "127.1"])
def test_resolving_a_literal_internal_address_is_blocked(address, settings):
    settings.IMPORTER_ALLOWED_ADDRESSES = []
    with pytest.raises(errors.Blocked):
        resolve(address, 80, timeout=2)


def test_an_unknown_name_is_unresolvable_not_blocked():
    with pytest.raises(errors.Unresolvable) as failure:
        resolve("no-such-host.invalid", 80, timeout=5)
    assert failure.value.code == "dns"


def test_a_resolver_that_hangs_is_given_up_at_the_deadline(monkeypatch):
    # The system resolver cannot be interrupted; a hung one stands in for a DNS server that never answers.
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: time.sleep(3))
    started = time.monotonic()
    with pytest.raises(errors.TimedOut):
        resolve("slow.example", 80, timeout=0.2)
    assert time.monotonic() - started < 1
