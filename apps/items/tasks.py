"""Celery tasks of the items app: thumbnails made when a picture arrives.

A gift's picture (uploaded, or taken from a store page by the importer) and a
registry's cover photo get every size the templates show
(``settings.WHISPER_THUMBNAILS``) right after the upload commits, in the
worker: the first guest to open the page never waits for Pillow, and sorl's
key-value store (in the cache, backed by the database) already knows them.
Tasks take ids and are queued once the upload commits.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db.models.fields.files import FieldFile
from sorl.thumbnail import default, get_thumbnail

from apps.registries.models import Registry

from .models import Item

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


def make_thumbnails_on_commit(instance: Item | Registry, *, created: bool = False) -> None:
    """Queue the thumbnails of a picture just given to ``instance`` (a gift or a registry).

    Call it inside the transaction: *before* saving a changed gift or
    registry (a picture is new while its file is not stored yet, and saving
    stores it), or after creating one, with ``created`` (any picture it has
    is new). Queued only if the transaction commits; nothing happens for a
    picture that did not change.
    """
    if isinstance(instance, Item):
        image, task = instance.image, make_item_thumbnails
    else:
        image, task = instance.cover_photo, make_cover_thumbnails
    if image and (created or not image._committed):
        task.delay_on_commit(instance.pk)


@shared_task(acks_late=True, ignore_result=True, time_limit=120, soft_time_limit=100)
def make_item_thumbnails(item_id: int) -> None:
    """The thumbnails of a gift's picture (nothing if the gift or its picture is gone)."""
    item = Item.objects.filter(pk=item_id).only("pk", "image").first()
    if item is not None:
        made = make_thumbnails_of(item.image, "item")
        log.info("thumbnails item=%s made=%d", item_id, len(made))


@shared_task(acks_late=True, ignore_result=True, time_limit=120, soft_time_limit=100)
def make_cover_thumbnails(registry_id: int) -> None:
    """The thumbnails of a registry's cover photo (nothing if it has none)."""
    registry = Registry.objects.filter(pk=registry_id).only("pk", "cover_photo").first()
    if registry is not None:
        made = make_thumbnails_of(registry.cover_photo, "cover")
        log.info("thumbnails registry=%s made=%d", registry_id, len(made))
