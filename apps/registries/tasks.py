"""Celery tasks of the registries app: the thumbnails of a new cover photo, made in the worker."""

from __future__ import annotations

import logging

from celery import shared_task

from apps.core.thumbnails import make_thumbnails_of

from .models import Registry

log = logging.getLogger(__name__)


def make_thumbnails_on_commit(registry: Registry) -> None:
    """Queue the thumbnails of a cover photo just given to ``registry`` (call it before saving)."""
    if registry.cover_photo and not registry.cover_photo._committed:
        make_cover_thumbnails.delay_on_commit(registry.pk)


@shared_task(acks_late=True, ignore_result=True, time_limit=120, soft_time_limit=100)
def make_cover_thumbnails(registry_id: int) -> None:
    """The thumbnails of a registry's cover photo (nothing if it has none)."""
    registry = Registry.objects.filter(pk=registry_id).only("pk", "cover_photo").first()
    if registry is not None:
        made = make_thumbnails_of(registry.cover_photo, "cover")
        log.info("thumbnails registry=%s made=%d", registry_id, len(made))
