"""Thumbnails of an uploaded picture, made ahead of the first page that shows them.

The apps with pictures (a gift's image, a registry's cover photo) call
:func:`make_thumbnails_on_commit` when a picture is uploaded or imported, and
the worker makes every size the templates show (``settings.WHISPER_THUMBNAILS``)
once the upload commits: the first guest to open the page never waits for
Pillow, and sorl's key-value store (in the cache, backed by the database)
already knows them. The task takes the row's model label and id, never the row.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from sorl.thumbnail import default, get_thumbnail

log = logging.getLogger(__name__)

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


def make_thumbnails_on_commit(row: Model, field: str, kind: str, *, created: bool = False) -> None:
    """Queue the thumbnails of a picture just given to ``row.<field>`` (pages of ``kind`` show them).

    Call it inside the transaction: *before* saving a changed row (a picture
    is new while its file is not stored yet, and saving stores it), or after
    creating one, with ``created`` (any picture it has is new). Queued only
    if the transaction commits; nothing happens for a picture that did not change.
    """
    picture = getattr(row, field)
    if picture and (created or not picture._committed):
        make_thumbnails.delay_on_commit(row._meta.label, row.pk, field, kind)


@shared_task(acks_late=True, ignore_result=True, time_limit=120, soft_time_limit=100)
def make_thumbnails(model: str, pk: int, field: str, kind: str) -> None:
    """The thumbnails of a row's picture (nothing if the row or its picture is gone)."""
    row = apps.get_model(model).objects.filter(pk=pk).only("pk", field).first()
    if row is not None:
        made = make_thumbnails_of(getattr(row, field), kind)
        log.info("thumbnails %s=%s made=%d", model, pk, len(made))
