"""Thumbnails of an uploaded picture, made ahead of the first page that shows them.

The apps with pictures (a gift's image, a registry's cover photo) call
:func:`make_thumbnails_on_commit` when a picture is uploaded or imported, and
the worker makes every size the templates show (``settings.WHISPER_THUMBNAILS``)
once the upload commits: the first guest to open the page never waits for
Pillow, and sorl's key-value store (in the cache, backed by the database)
already knows them. The task takes the row's model label and id, never the row.

A model with a ``<field>_thumbnails`` JSON field (``Item.image_thumbnails``)
also keeps what was made in its own row, for the picture it was made of
(:func:`remember_thumbnails`). The ``thumbnail`` filter (``{% load thumbnails %}``,
``item.image|thumbnail:"480x360"``) reads it from there: a page of 24 cards
then asks sorl nothing, where each card would cost a key-value lookup in
memcached. A picture changed since (or never remembered) is looked up in
sorl as before.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from sorl.thumbnail import default, get_thumbnail
from sorl.thumbnail.images import BaseImageFile

log = logging.getLogger(__name__)

# Every size in WHISPER_THUMBNAILS is cropped to the centre, as in the templates.
OPTIONS = {"crop": "center"}


def _make(image: FieldFile, kind: str) -> dict[str, BaseImageFile]:
    """Make (or find) every thumbnail of ``image`` that pages of ``kind`` show, by size.

    Idempotent: a thumbnail sorl already knows is looked up, not made again,
    unless its file is gone (a wiped media folder): sorl's record of it
    would otherwise outlive it, and pages would link to nothing.
    """
    made = {}
    for geometry in settings.WHISPER_THUMBNAILS[kind]:
        thumbnail = get_thumbnail(image, geometry, **OPTIONS)
        if not thumbnail.exists():
            default.kvstore.delete(thumbnail)
            thumbnail = get_thumbnail(image, geometry, **OPTIONS)
        made[geometry] = thumbnail
    return made


def make_thumbnails_of(image: FieldFile, kind: str) -> list[str]:
    """Make (or find) every thumbnail of ``image`` that pages of ``kind`` show; their URLs."""
    return [thumbnail.url for thumbnail in _make(image, kind).values()] if image else []


def remember_thumbnails(row: Model, field: str, kind: str) -> dict:
    """Make every thumbnail of ``row.<field>`` and keep them in ``row.<field>_thumbnails``, if it has one.

    What is kept: the picture's name and, by size, each thumbnail's name and
    size (``{"name": …, "sizes": {"480x360": [name, 480, 360]}}``). Written
    with an UPDATE that only matches while the row still holds that picture:
    a newer upload is never given the older one's thumbnails.
    """
    image = getattr(row, field)
    made: dict = {}
    if image:
        sizes = {geometry: [t.name, t.width, t.height] for geometry, t in _make(image, kind).items()}
        made = {"name": image.name, "sizes": sizes}
    store = f"{field}_thumbnails"
    if any(f.name == store for f in row._meta.concrete_fields):
        type(row)._base_manager.filter(pk=row.pk, **{field: image.name or ""}).update(**{store: made})
        setattr(row, store, made)
    return made


class StoredThumbnail(BaseImageFile):
    """A thumbnail as a row remembers it: its URL and size, without asking sorl."""

    def __init__(self, name: str, width: int, height: int) -> None:
        self.name, self.storage, self.size = name, default.storage, [width, height]

    @property
    def url(self) -> str:
        return self.storage.url(self.name)


def thumbnail_of(image: FieldFile, geometry: str) -> BaseImageFile | None:
    """The thumbnail of ``image`` at ``geometry`` (cropped to the centre, as every size here).

    From the row's ``<field>_thumbnails`` when it holds this very picture,
    else from sorl (which makes it if need be). None without a picture.
    """
    if not image:
        return None
    # (From the row's own fields only: never a query for a field it was loaded without.)
    stored = image.instance.__dict__.get(f"{image.field.name}_thumbnails")
    if stored and stored.get("name") == image.name and (size := stored["sizes"].get(geometry)):
        return StoredThumbnail(*size)
    return get_thumbnail(image, geometry, **OPTIONS)


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
    row = apps.get_model(model)._base_manager.filter(pk=pk).only("pk", field).first()
    if row is not None:
        made = remember_thumbnails(row, field, kind)
        log.info("thumbnails %s=%s made=%d", model, pk, len(made.get("sizes", {})))
