"""Celery task: the daily erasure of old guest data (celery beat runs it at 03:30 UTC)."""

from __future__ import annotations

import dataclasses

from celery import shared_task

from . import services


@shared_task(name="apps.privacy.tasks.erase_guest_data")
def erase_guest_data() -> dict[str, int]:
    """Blank guests' details past the retention period; how many rows of each kind."""
    return dataclasses.asdict(services.erase_guest_data())
