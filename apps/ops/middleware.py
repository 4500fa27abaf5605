"""Middleware that lets operators steer the site.

``ReadOnlyMiddleware`` turns every write into a friendly 503 while the
``read_only`` switch is on; ``SuperuserTracebackMiddleware`` shows a
superuser the traceback of a failing page instead of the plain 500 page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.deprecation import MiddlewareMixin
from django.utils.log import log_response
from django.views.debug import technical_500_response

from apps.ops import read_only

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Writes that go through even in read-only mode: PayPal's IPNs are stored for
# later (PayPal would otherwise give up on them), and the admin is where
# staff turn read-only mode off again.
READ_ONLY_EXEMPT_PREFIXES = ("/paypal/", "/admin/")

# Exceptions Django turns into 4xx pages itself; they are not failures.
_CLIENT_ERRORS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)


class ReadOnlyMiddleware:
    """Answer non-safe requests with a 503 "back soon" page in read-only mode."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method not in SAFE_METHODS
            and not request.path_info.startswith(READ_ONLY_EXEMPT_PREFIXES)
            and read_only.for_request(request)
        ):
            return read_only_response(request)
        return self.get_response(request)


def read_only_response(request: HttpRequest) -> HttpResponse:
    """The friendly 503 page, with ``Retry-After`` so clients come back."""
    # The page says it all; read_only_page keeps the banner from saying it twice.
    context = {"read_only": True, "read_only_page": True}
    html = render_to_string("ops/read_only.html", context, request=request)
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(read_only.RETRY_AFTER_SECONDS)
    return response


class SuperuserTracebackMiddleware(MiddlewareMixin):
    """Show superusers the technical 500 page; everyone else gets ``500.html``."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, _CLIENT_ERRORS) or not _is_superuser(request):
            return None
        response = technical_500_response(request, type(exception), exception, exception.__traceback__)
        # Handled here, the failure must still reach the logs and Sentry,
        # exactly as Django reports the failures it handles itself.
        signals.got_request_exception.send(sender=None, request=request)
        log_response(
            "%s: %s",
            response.reason_phrase,
            request.path,
            response=response,
            request=request,
            exception=exception,
        )
        return response


def _is_superuser(request: HttpRequest) -> bool:
    """Whether the request comes from a logged-in superuser.

    Looking the user up may itself fail (the database may be what broke);
    then nobody gets the traceback.
    """
    try:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and user.is_superuser)
    except Exception:
        return False
