"""The site's URLconf plus uploaded media, for the live server of the browser tests.

In production nginx serves MEDIA_URL; ``runserver`` does it with DEBUG on. The
live server runs with DEBUG off, so the browser tests switch ROOT_URLCONF to
this module (tests/browser/conftest.py) to see the pictures couples upload.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.views.static import serve

from whisper.urls import handler400, handler403, handler404, handler500
from whisper.urls import urlpatterns as site_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def media(request: HttpRequest, path: str) -> HttpResponse:
    # MEDIA_ROOT is read per request: the tests' settings may change it.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    re_path(r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")), media),
    *site_urlpatterns,
]
