"""The reader's language on every request, for a site whose URLs carry no language prefix."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header


def reader_language(request: HttpRequest) -> str | None:
    """The reader's own language, if it is one of ours: their choice in the chooser, else their browser's.

    None when neither names a language Whisper speaks (LocaleMiddleware then
    falls back to English; a registry's pages fall back to the registry's).
    """
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    wanted = [chosen] if chosen else []
    # (META, not request.headers: that builds a dict of every header, on the busiest page's every request.)
    wanted += [code for code, _ in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))]
    for code in wanted:
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return None


class LocaleMiddleware:
    """Django's ``LocaleMiddleware``, minus what only ``i18n_patterns`` URLs need.

    The language is the reader's own (:func:`reader_language`, kept as
    ``request.reader_language``), else ``LANGUAGE_CODE``: what Django's
    middleware decides for URLs without a language. The response says it in
    ``Content-Language`` (the language the view ended with: a registry's page
    may speak the registry's) and varies on ``Accept-Language``.

    Whisper's URLs carry no language (``/de/…``), so Django's middleware
    looks for one in the path twice per request for nothing, and its
    ``process_request``/``process_response`` pair costs a ``MiddlewareMixin``
    layer: together about a third of what Whisper's whole stack adds to
    Django's default one on the cheapest page. A URLconf with
    ``i18n_patterns`` needs Django's own middleware back; this one refuses to
    start on it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if is_language_prefix_patterns_used(settings.ROOT_URLCONF)[0]:
            raise ImproperlyConfigured(
                "apps.core.locale.LocaleMiddleware cannot serve i18n_patterns URLs: "
                "use django.middleware.locale.LocaleMiddleware."
            )
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.reader_language = reader_language(request)
        translation.activate(request.reader_language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
