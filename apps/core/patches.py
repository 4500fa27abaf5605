"""The one monkeypatch of ``apps.core``, and how every patch notices an upgrade.

pymemcache reads a value off the socket ``RECV_SIZE`` bytes at a time, a
module constant of 4 KB with no setting: forty reads for a 160 KB page.
64 KB reads take less than half the time. :func:`read_memcached_in_64kb`
raises the constant; ``apps.core.cache`` applies it when it is imported.

A patch leans on code it does not own. Each patch module (this one, and
``apps.payments.postback`` for django-paypal's IPN postback) records in
``UPSTREAM`` a digest of every upstream function it replaces or relies on,
as they were when the patch was written, and in ``RECHECK`` what to look at
if one changes. ``tests/invariants/test_patches.py`` compares the digests
with the installed packages, so that an upgrade cannot silently undo or
break a patch.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect

import pymemcache.client.base

# The functions that read RECV_SIZE, as a module global, on every call.
UPSTREAM = {
    "pymemcache.client.base:_readline": "b80b3a342383",
    "pymemcache.client.base:_readvalue": "3e67702c606f",
    "pymemcache.client.base:_readsegment": "35616c2ae539",
}
RECHECK = (
    "pymemcache changed how it reads from the socket: check that it still reads "
    "pymemcache.client.base.RECV_SIZE on every call (else apps.core.patches.read_memcached_in_64kb "
    "does nothing, or is no longer needed), then record the new digests."
)


def read_memcached_in_64kb() -> None:
    """Make pymemcache read values in chunks of at least 64 KB (idempotent)."""
    pymemcache.client.base.RECV_SIZE = max(pymemcache.client.base.RECV_SIZE, 64 * 1024)


def upstream_digest(target: str) -> str:
    """A short digest of the source of ``target`` ("module:Class.function") as installed, patched or not.

    Read from the module's file, not from the (maybe patched) object.

    >>> len(upstream_digest("pymemcache.client.base:Client.get"))
    12
    """
    module_name, qualname = target.split(":")
    source = inspect.getsource(importlib.import_module(module_name))
    node: ast.AST = ast.parse(source)
    for name in qualname.split("."):
        node = next(child for child in node.body if getattr(child, "name", None) == name)
    segment = ast.get_source_segment(source, node) or ""
    return hashlib.sha256(segment.encode()).hexdigest()[:12]
