"""The site's own files: the web app manifest, ``/robots.txt`` and ``/favicon.ico``.

The manifest makes Whisper installable on a phone: it opens on the couple's
registries, in its own window, and it is a share target, so "Share →
Whisper" on a shop's product page starts adding that gift
(``importer:share``). All three answers are the same for everyone and say
so in their caching headers.
"""

from __future__ import annotations

import json

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

# The palette's accent and paper (static/css/whisper.css: --accent, --paper).
THEME_COLOR = "#7a3e5d"
BACKGROUND_COLOR = "#fbf8f5"
ONE_DAY = 24 * 3600

# Paths search engines have no business in: the couples' pages, accounts,
# guests' private links, the staff's and the admin's pages (and the share target).
PRIVATE_PREFIXES = ("/registries/", "/accounts/", "/reservations/", "/pledges/", "/staff/", "/admin/")


def _cacheable(response: HttpResponse, seconds: int = ONE_DAY) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=seconds)
    return response


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest (``<link rel="manifest">`` in base.html)."""
    start = reverse("registries:mine")
    data = {
        "id": start,
        "name": _("Whisper — your gift registry"),
        "short_name": "Whisper",
        "description": _("Your gift registry: see what guests reserved, add gifts from any shop."),
        "lang": get_language(),
        "start_url": start,
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("img/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("img/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        ],
        "share_target": {
            "action": reverse("importer:share"),
            "method": "POST",
            "enctype": "application/x-www-form-urlencoded",
            "params": {"title": "title", "text": "text", "url": "url"},
        },
    }
    body = json.dumps(data, ensure_ascii=False, indent=1)
    return _cacheable(HttpResponse(body, content_type="application/manifest+json; charset=utf-8"), 3600)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Everything public may be crawled; the private paths may not (there is no sitemap)."""
    lines = ["User-agent: *", *(f"Disallow: {prefix}" for prefix in PRIVATE_PREFIXES)]
    lines += [f"Disallow: {reverse('importer:share')}", "Allow: /", ""]
    return _cacheable(HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8"))


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, for the browsers and tools that ask for it there."""
    path = finders.find("img/favicon.ico")
    if not path:
        raise Http404("No favicon")
    with open(path, "rb") as icon:
        return _cacheable(HttpResponse(icon.read(), content_type="image/x-icon"), 7 * ONE_DAY)
