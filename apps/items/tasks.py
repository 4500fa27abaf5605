"""Celery tasks of the items app: a gift's picture gets its thumbnails (``apps.core.thumbnails``)."""

from __future__ import annotations

from apps.core import thumbnails

from .models import Item


def make_thumbnails_on_commit(item: Item, *, created: bool = False) -> None:
    """Queue the thumbnails of a picture just given to ``item`` (before saving it, or ``created``)."""
    thumbnails.make_thumbnails_on_commit(item, "image", "item", created=created)
