"""Security plumbing shared by the whole site: the client's address, the CSRF page, django-axes glue.

Behind our nginx every request comes from 127.0.0.1; the client's own address
is in ``X-Real-IP``, trusted only from ``settings.WHISPER_TRUSTED_PROXIES``, so
rate limits and login lockouts count per visitor — and nobody picks their own.
Wrong passwords lock one account from one network (an IPv6 visitor counts by
their /64, which one household or one attacker holds whole) at
``AXES_FAILURE_LIMIT``, and the account from everywhere at
``WHISPER_ACCOUNT_FAILURE_LIMIT``; a password reset by mail opens it again at
once, so nobody can lock a couple out for good.
"""

from __future__ import annotations

import functools
import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from csp.constants import HEADER
from csp.utils import build_policy
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext


class ContentSecurityPolicyMiddleware:
    """The site's Content-Security-Policy on every response that has none of its own.

    Whisper has one policy for the whole site (``CONTENT_SECURITY_POLICY``:
    no nonce, no per-view policy), so the header is built once per process,
    by django-csp's own builder; django-csp's middleware builds it twice per
    response (about 60 µs of every request). Django's debug pages (``DEBUG``,
    404 and 500) go without, as with django-csp: they style themselves inline.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.policy = build_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        if self.policy and HEADER not in response:
            response[HEADER] = self.policy
        return response


class ClientAddressMiddleware:
    """Put the client's address in ``REMOTE_ADDR`` when a trusted proxy tells it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trusted = getattr(settings, "WHISPER_TRUSTED_PROXIES", ())
        if trusted and request.META.get("REMOTE_ADDR") in trusted:
            real = client_address(request.META.get("HTTP_X_REAL_IP", ""))
            if real:
                request.META["REMOTE_ADDR"] = real
        return self.get_response(request)


# The same visitors come back request after request: parse each address once.
@functools.lru_cache(maxsize=4096)
def client_address(value: str) -> str:
    """``value`` if it is one IPv4 or IPv6 address, else "".

    >>> client_address(" 203.0.113.9 "), client_address("2001:db8::1")
    ('203.0.113.9', '2001:db8::1')
    >>> client_address("203.0.113.9, 10.0.0.1"), client_address("evil")
    ('', '')
    """
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a 403 in the site's look that says what to do; nothing was saved."""
    context = {"no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return render(request, "403_csrf.html", context, status=403)


# django-axes --------------------------------------------------------------
class LoginAttemptsBackend(AxesStandaloneBackend):
    """Axes' standalone backend: refuses logins while an account is locked out.

    ``authenticate()`` without a request — the test client's ``login()``, a
    shell — is no login attempt over the web, so there is nothing to count
    or refuse; axes' own class would raise instead. Every login page passes
    the request (Django's ``AuthenticationForm`` does), so they are all watched.
    """

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is None:
            return None
        if (
            account_failures(axes_username(request, {"username": username}))
            >= settings.WHISPER_ACCOUNT_FAILURE_LIMIT
        ):
            request.axes_locked_out = True  # AxesMiddleware answers with locked_out()
            raise AxesBackendPermissionDenied("too many wrong passwords for this account")
        return super().authenticate(request, username=username, password=password, **kwargs)


def account_failures(username: str) -> int:
    """Wrong passwords for ``username`` from every address within the cool-off time."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def unlock_account(username: str) -> None:
    """Forget the wrong passwords for ``username`` (its owner proved the address by mail)."""
    reset(username=axes_username(None, {"username": username}))


def client_network(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the visitor's IPv4 address, or the /64 of their IPv6 one.

    The /64 is written as its first address: axes stores an address.

    >>> from django.test import RequestFactory
    >>> client_network(RequestFactory().get("/", REMOTE_ADDR="203.0.113.9"))
    '203.0.113.9'
    >>> client_network(RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1"))
    '2001:db8:1:2::'
    """
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return request.META.get("REMOTE_ADDR", "")
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


# AccessAttempt.username and AccessLog.username are varchar(255) in django-axes.
AXES_USERNAME_LENGTH = 255


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """The address being logged into, as accounts store it: ``Alex@x`` and ``alex@x`` are one.

    >>> axes_username(None, {"username": "  Alex@Example.com "})
    'alex@example.com'
    >>> axes_username(None, None)
    ''

    Cut to the 255 characters axes stores (no account's address is longer),
    so a 100,000-character "username" is a failed login, not a 500:

    >>> len(axes_username(None, {"username": "é" * 100_000}))
    255
    """
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    value = (credentials or {}).get(field)
    if value is None and request is not None:
        value = request.POST.get(field, "")
    return str(value or "").strip().lower()[:AXES_USERNAME_LENGTH]


def locked_out(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: a 429 page saying how long logging in is paused."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 3600
    response = render(
        request, "accounts/locked_out.html", {"cooloff_text": duration_text(seconds)}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response


def duration_text(seconds: int) -> str:
    """A rounded, friendly duration.

    >>> duration_text(3600), duration_text(7200), duration_text(900), duration_text(30)
    ('an hour', '2 hours', '15 minutes', 'a minute')
    """
    if seconds >= 3600:
        hours = round(seconds / 3600)
        return ngettext("an hour", "%(count)d hours", hours) % {"count": hours}
    minutes = max(1, round(seconds / 60))
    return ngettext("a minute", "%(count)d minutes", minutes) % {"count": minutes}
