"""Addresses of many rows at once: a URL pattern reversed once, then filled in with each row's id."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

_MARK = 987654321987654321  # an id no row has


def pk_url(name: str, slug: str) -> Callable[[int], str]:
    """``reverse(name, args=[slug, pk])`` as a function of ``pk`` (a gift's, a claim's), reversed once.

    >>> pk_url("items:edit", "alex-and-sam")(7) == reverse("items:edit", args=["alex-and-sam", 7])
    True
    """
    head, tail = reverse(name, args=[slug, _MARK]).rsplit(str(_MARK), 1)
    return lambda pk: f"{head}{pk}{tail}"
