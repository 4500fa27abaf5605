"""``{% load thumbnails %}``: a picture's thumbnail as the row remembers it (``apps.core.thumbnails``).

``{% with im=item.image|thumbnail:"480x360" %}{% if im %}<img src="{{ im.url }}"
width="{{ im.width }}" height="{{ im.height }}">{% endif %}{% endwith %}``: the
sizes of ``settings.WHISPER_THUMBNAILS``, cropped to the centre. Where sorl's
``{% thumbnail %}`` tag looks every picture up in its key-value store, this
reads what the row holds, and asks sorl only for a picture it does not hold.
"""

from __future__ import annotations

import logging

from django import template

from apps.core.thumbnails import thumbnail_of

register = template.Library()
log = logging.getLogger(__name__)


@register.filter
def thumbnail(image, geometry: str):
    """The thumbnail of ``image`` at ``geometry`` (``url``, ``width``, ``height``); None without one.

    A picture sorl cannot read shows no thumbnail, as sorl's own tag does.
    """
    try:
        return thumbnail_of(image, geometry)
    except Exception:
        log.exception("no thumbnail of %s at %s", getattr(image, "name", image), geometry)
        return None
