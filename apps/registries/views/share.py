"""Sharing a registry: the couple's printable card, the QR code and the link preview's picture.

The card is the owners' (``access.registry_for_owner``). The QR code and the
preview picture are public: the QR code encodes only the public address, and
the picture of a protected registry shows nothing of the couple (see
:mod:`apps.registries.sharing`). Both say with standard headers that any
cache may keep them: their URLs carry the registry's version, or change
with it (ETag).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from apps.accounts.decorators import verified_required
from apps.core.cache import etag

from .. import services, sharing
from ..access import noindex, registry_for_owner
from ..models import Registry

PUBLIC_SECONDS = 24 * 3600


@verified_required
@require_safe
def card(request: HttpRequest, slug: str) -> HttpResponse:
    """The printable share card: names, date, address and QR code, on one page."""
    registry = registry_for_owner(request, slug)
    services.mark_shared(registry)  # the checklist's "share the link" step
    context = {"registry": registry, "share_url": sharing.public_url(registry)}
    return noindex(render(request, "registries/share.html", context))


def _public(request: HttpRequest, tag: str, make, content_type: str) -> HttpResponse:
    if request.META.get("HTTP_IF_NONE_MATCH") == tag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(make(), content_type=content_type)
    response["ETag"] = tag
    response["Cache-Control"] = f"public, max-age={PUBLIC_SECONDS}"
    return noindex(response)


@require_safe
def qr(request: HttpRequest, slug: str) -> HttpResponse:
    """The QR code of the registry's public address, as SVG (for invitations and the card)."""
    registry = get_object_or_404(Registry, slug=slug)
    url = sharing.public_url(registry)
    return _public(request, etag("qr", url), lambda: sharing.qr_svg(url), "image/svg+xml")


@require_safe
def preview_card(request: HttpRequest, slug: str) -> HttpResponse:
    """The picture of the registry's link preview (PNG, 1200×630)."""
    registry = get_object_or_404(Registry, slug=slug)
    tag = etag("card", registry.pk, registry.cache_version, registry.is_protected)
    return _public(request, tag, lambda: sharing.card_png(registry), "image/png")
