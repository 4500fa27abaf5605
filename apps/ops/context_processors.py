"""Template context for operator levers: the read-only banner and feature flags."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.ops import flags, read_only


def ops(request: HttpRequest) -> dict:
    """``read_only`` (bool) and ``flags`` (``{% if flags.importer %}``).

    Both are looked up only when a template uses them.
    """
    return {
        "read_only": SimpleLazyObject(lambda: read_only.for_request(request)),
        "flags": flags.RequestFlags(request),
    }
