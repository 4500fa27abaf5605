"""The reader's language on every request, for a site whose URLs carry no language prefix."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LocaleMiddleware:
    """Django's ``LocaleMiddleware``, minus what only ``i18n_patterns`` URLs need.

    The language is the reader's choice (the ``django_language`` cookie), else
    their browser's (``Accept-Language``), else ``LANGUAGE_CODE``, exactly as
    Django's middleware decides it; the response says it in
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
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
