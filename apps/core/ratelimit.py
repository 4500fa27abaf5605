"""Rate limits on the forms strangers can hammer, and the page they get when over.

Every limit is a setting named ``WHISPER_RATE_*`` (``whisper/settings/base.py``)
holding a django-ratelimit rate, read on every request (tests lower it with
``override_settings``), and every limit goes through one of the two
functions here, which count in the default cache:

- :func:`limit`, a view decorator, e.g. ``@limit("WHISPER_RATE_RESERVE")``.
  Over the limit, django-ratelimit raises ``Ratelimited`` and its middleware
  answers with :func:`ratelimited` (``RATELIMIT_VIEW``): a friendly 429 page
  with a ``Retry-After`` header. The view never ran, so nothing was written.
- :func:`over_limit`, for a view that decides itself what to count (only
  wrong passphrases, only valid forms) and how to refuse (a form error, a
  message, a silent no-op).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

# What django-ratelimit accepts after the slash ("20/m", "5/10m", "100/h").
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DEFAULT_RETRY_AFTER = 60


def rate_from_setting(name: str) -> Callable[[str, HttpRequest], str | None]:
    """A rate callable for django-ratelimit reading ``settings.<name>`` at request time.

    It also notes the rate on the request, so the 429 page can say when to
    come back. A setting of ``None`` switches the limit off.

    >>> from django.test import RequestFactory, override_settings
    >>> request = RequestFactory().post("/")
    >>> with override_settings(WHISPER_RATE_DOCTEST="3/m"):
    ...     rate_from_setting("WHISPER_RATE_DOCTEST")("group", request), request.whisper_rate
    ('3/m', '3/m')
    """

    def current(group: str, request: HttpRequest) -> str | None:
        rate = getattr(settings, name)
        request.whisper_rate = rate
        return rate

    current.__name__ = f"rate_from_{name.lower()}"
    return current


def limit(setting: str, *, method: str | list[str] = "POST", key: str = "ip"):
    """Limit a view to the rate in ``settings.<setting>`` per client address; over it, a 429.

    Only requests of ``method`` count (a page shown with GET stays free
    unless ``method`` says otherwise).
    """
    return ratelimit(key=key, rate=rate_from_setting(setting), method=method, block=True)


def over_limit(request: HttpRequest, setting: str, *, group: str, key="ip", increment: bool = True) -> bool:
    """Whether this request is one too many of ``group`` for the rate in ``settings.<setting>``.

    With ``increment`` (the default) the request is counted; without, it is
    only asked whether counting it would go over (count it later, e.g. once
    a passphrase turned out wrong). ``key`` is django-ratelimit's ("ip",
    "user", or a callable).

    >>> from django.test import RequestFactory, override_settings
    >>> from django.core.cache import cache
    >>> request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.7")
    >>> with override_settings(WHISPER_RATE_DOCTEST="2/h"):
    ...     cache.clear()
    ...     [over_limit(request, "WHISPER_RATE_DOCTEST", group="doctest") for _ in range(3)]
    [False, False, True]
    """
    usage = get_usage(request, group=group, key=key, rate=rate_from_setting(setting), increment=increment)
    if usage is None:  # no rate (the setting is None), or limits off (RATELIMIT_ENABLE)
        return False
    return usage["count"] + (0 if increment else 1) > usage["limit"]


def period_seconds(rate: str | None) -> int:
    """The length in seconds of the window of a django-ratelimit rate.

    >>> period_seconds("20/m"), period_seconds("5/10m"), period_seconds("100/h"), period_seconds("3/s")
    (60, 600, 3600, 1)
    >>> period_seconds(None), period_seconds("nonsense")
    (60, 60)
    """
    if not rate or "/" not in rate:
        return DEFAULT_RETRY_AFTER
    period = rate.split("/", 1)[1].strip()
    unit = period[-1:]
    count = period[:-1] or "1"
    if unit not in _PERIODS or not count.isdigit():
        return DEFAULT_RETRY_AFTER
    return int(count) * _PERIODS[unit]


def ratelimited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``RATELIMIT_VIEW``: the 429 page, with ``Retry-After`` for the window of the rate hit."""
    retry_after = period_seconds(getattr(request, "whisper_rate", None))
    response = render(
        request,
        "429.html",
        {"retry_after": retry_after, "retry_minutes": max(1, round(retry_after / 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response
