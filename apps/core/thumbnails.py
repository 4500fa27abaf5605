"""Thumbnails of an uploaded picture, made ahead of the first page that shows them.

The apps with pictures (a gift's image, a registry's cover photo) call
:func:`make_thumbnails_of` from their celery task once the upload commits: the
first guest to open the page never waits for Pillow, and sorl's key-value store
(in the cache, backed by the database) already knows them.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.fields.files import FieldFile
from sorl.thumbnail import default, get_thumbnail

# Every size in WHISPER_THUMBNAILS is cropped to the centre, as in the templates.
OPTIONS = {"crop": "center"}


def make_thumbnails_of(image: FieldFile, kind: str) -> list[str]:
    """Make (or find) every thumbnail of ``image`` that pages of ``kind`` show; their URLs.

    Idempotent: a thumbnail sorl already knows is looked up, not made again,
    unless its file is gone (a wiped media folder): sorl's record of it
    would otherwise outlive it, and pages would link to nothing.
    """
    if not image:
        return []
    urls = []
    for geometry in settings.WHISPER_THUMBNAILS[kind]:
        thumbnail = get_thumbnail(image, geometry, **OPTIONS)
        if not thumbnail.exists():
            default.kvstore.delete(thumbnail)
            thumbnail = get_thumbnail(image, geometry, **OPTIONS)
        urls.append(thumbnail.url)
    return urls
