"""Celery tasks of the items app: thumbnails made when a gift's picture arrives.

A gift's picture (uploaded, or taken from a store page by the importer) gets
every size the templates show
(``settings.WHISPER_THUMBNAILS``) right after the upload commits, in the
worker: the first guest to open the page never waits for Pillow, and sorl's
key-value store (in the cache, backed by the database) already knows them.
Tasks take ids and are queued once the upload commits.
"""

from __future__ import annotations

import logging

from celery import shared_task

from apps.core.thumbnails import make_thumbnails_of

from .models import Item

log = logging.getLogger(__name__)


def make_thumbnails_on_commit(item: Item, *, created: bool = False) -> None:
    """Queue the thumbnails of a picture just given to ``item``.

    Call it inside the transaction: *before* saving a changed gift (a
    picture is new while its file is not stored yet, and saving stores it),
    or after creating one, with ``created`` (any picture it has is new).
    Queued only if the transaction commits; nothing happens for a picture
    that did not change.
    """
    if item.image and (created or not item.image._committed):
        make_item_thumbnails.delay_on_commit(item.pk)


@shared_task(acks_late=True, ignore_result=True, time_limit=120, soft_time_limit=100)
def make_item_thumbnails(item_id: int) -> None:
    """The thumbnails of a gift's picture (nothing if the gift or its picture is gone)."""
    item = Item.objects.filter(pk=item_id).only("pk", "image").first()
    if item is not None:
        made = make_thumbnails_of(item.image, "item")
        log.info("thumbnails item=%s made=%d", item_id, len(made))
