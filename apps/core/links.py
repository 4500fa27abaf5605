"""Addresses on busy pages: each URL pattern reversed once per process, then filled in.

Reversing walks the URLconf every time; a page with 20 links, or a link
for each of 200 rows, pays that 20 or 200 times. Here a route is reversed
once, with a marker for each argument, and the address is cut at the
markers: what is left is filling in. Only for slugs and ids, which
reversing leaves as they are (no quoting); anything else goes to ``reverse()``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_MARK = "987654321987654321"  # an argument no slug or id is


def link(name: str, *args: str | int) -> str:
    """``reverse(name, args=args)``, for slug and id arguments, the route reversed once per process.

    >>> link("items:edit", "alex-and-sam", 7) == reverse("items:edit", args=["alex-and-sam", 7])
    True
    """
    parts = _parts(name, len(args))
    return "".join(part + str(arg) for part, arg in zip(parts, args, strict=False)) + parts[-1]


def pk_url(name: str, slug: str) -> Callable[[int], str]:
    """``reverse(name, args=[slug, pk])`` as a function of ``pk`` (a gift's, a claim's), for many rows.

    >>> pk_url("items:edit", "alex-and-sam")(7) == reverse("items:edit", args=["alex-and-sam", 7])
    True
    """
    before, between, after = _parts(name, 2)
    head = f"{before}{slug}{between}"
    return lambda pk: f"{head}{pk}{after}"


def _parts(name: str, count: int) -> tuple[str, ...]:
    """Route ``name`` cut where its ``count`` arguments go, as this request reverses it."""
    return _route(name, count, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)


@functools.cache
def _route(name: str, count: int, prefix: str, urlconf: str | None, root: str) -> tuple[str, ...]:
    """The address of route ``name``, cut where its ``count`` arguments go.

    One for each script prefix and URLconf (the request's, the setting's) it was reversed under.
    """
    return tuple(reverse(name, args=[_MARK] * count, urlconf=urlconf).split(_MARK))
