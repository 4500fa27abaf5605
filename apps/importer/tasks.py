"""Celery tasks of the importer (they take ids, never model instances)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True, time_limit=60, soft_time_limit=45)
def run_import_task(job_id: int) -> None:
    services.run_import(job_id)
