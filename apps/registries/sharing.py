"""How a registry is shared: its address, its QR code, and the picture of its link preview.

The QR code (SVG, made by segno) encodes only the public address, which anyone
holding it knows already, so it is served for every registry. The preview card
(a 1200×630 PNG, the size Open Graph and Twitter ask for) shows the couple's
names, date and cover photo — except for a passphrase-protected registry,
whose card says only that it is a private registry on Whisper. Both are cached
in memcached by the registry's ``cache_version``, so every web node serves the
same bytes and a change of names or cover makes a new card.
"""

from __future__ import annotations

import io

import segno
from django.core.cache import cache
from django.utils import formats
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps

from apps.core.cache import FRAGMENT_SECONDS
from apps.core.emails import absolute

from .models import Registry

CARD_SIZE = (1200, 630)
INK, PAPER, ACCENT = "#2b2230", "#fbf7f4", "#7a3e5d"
# How the QR code is drawn: error correction M survives a smudged print; 2 modules of quiet zone.
QR_OPTIONS = {"kind": "svg", "scale": 8, "border": 2, "xmldecl": False, "dark": INK}


def public_url(registry: Registry) -> str:
    """The registry's address as guests type or scan it (absolute)."""
    return absolute(registry.get_absolute_url())


def qr_svg(url: str) -> bytes:
    """The QR code of ``url`` as an SVG document.

    >>> qr_svg("https://example.com/r/a/").startswith(b"<svg")
    True
    """
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, **QR_OPTIONS)
    return buffer.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _centred(draw: ImageDraw.ImageDraw, y: int, text: str, size: int, fill: str) -> int:
    """Draw ``text`` centred at height ``y``, shrunk until it fits; the y below it."""
    while True:
        font = _font(size)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        if right - left <= CARD_SIZE[0] - 120 or size <= 24:
            break
        size -= 4
    draw.text(((CARD_SIZE[0] - (right - left)) / 2, y), text, font=font, fill=fill)
    return y + bottom - top + 24


def _cover(registry: Registry) -> Image.Image | None:
    if not registry.cover_photo:
        return None
    try:
        with registry.cover_photo.open("rb") as file:
            picture = Image.open(file)
            picture.load()
    except (OSError, ValueError):  # a missing or broken file: the plain card
        return None
    picture = ImageOps.fit(picture.convert("RGB"), CARD_SIZE, method=Image.Resampling.LANCZOS)
    # Darkened so the names read on any photo.
    return Image.blend(picture, Image.new("RGB", CARD_SIZE, INK), 0.55)


def render_card(registry: Registry) -> bytes:
    """The link preview's picture for ``registry`` (PNG, 1200×630)."""
    private = registry.is_protected
    picture = None if private else _cover(registry)
    card = picture or Image.new("RGB", CARD_SIZE, PAPER)
    draw = ImageDraw.Draw(card)
    ink, accent = ("#ffffff", "#f3dbe6") if picture else (INK, ACCENT)
    draw.rectangle((24, 24, CARD_SIZE[0] - 25, CARD_SIZE[1] - 25), outline=accent, width=3)
    y = _centred(draw, 160, "Whisper", 44, accent)
    if private:
        y = _centred(draw, y + 50, _("A private gift registry"), 96, ink)
        _centred(draw, y + 10, _("Open the link and enter the couple's passphrase."), 40, ink)
    else:
        y = _centred(draw, y + 40, f"{registry.partner_one} & {registry.partner_two}", 120, ink)
        _centred(draw, y + 10, formats.date_format(registry.event_date, "j F Y"), 52, ink)
    buffer = io.BytesIO()
    # A photo quantized to 256 colours keeps the PNG small enough for memcached.
    (card.quantize(256) if picture else card).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def card_png(registry: Registry) -> bytes:
    """``render_card``, cached by the registry's version (and whether it is protected)."""
    key = f"registries.card:{registry.pk}:{registry.cache_version}:{registry.is_protected}"
    png = cache.get(key)
    if png is None:
        png = render_card(registry)
        cache.set(key, png, FRAGMENT_SECONDS)
    return png


def preview(registry: Registry) -> dict[str, str]:
    """The words of the registry's link preview, ``title`` and ``description`` (nothing, if protected)."""
    if registry.is_protected:
        return {
            "title": _("A private gift registry on Whisper"),
            "description": _(
                "This registry is private: open the link and enter the passphrase the couple gave you."
            ),
        }
    parts = [formats.date_format(registry.event_date, "j F Y")]
    if registry.location:
        parts.append(registry.location)
    description = " · ".join(parts)
    if registry.welcome_message:
        welcome = " ".join(registry.welcome_message.split())
        description += " — " + (welcome if len(welcome) <= 160 else welcome[:159].rstrip() + "…")
    title = _("%(one)s & %(two)s's gift registry") % {
        "one": registry.partner_one,
        "two": registry.partner_two,
    }
    return {"title": title, "description": description}
