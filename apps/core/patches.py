"""How a monkeypatch of third-party code notices an upgrade.

A patch leans on code it does not own. Each patch module (today
``apps.payments.postback``, for django-paypal's IPN postback) records in
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
