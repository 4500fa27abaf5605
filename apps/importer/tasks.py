"""Celery tasks of the importer (they take ids, never model instances)."""

from __future__ import annotations

from celery import shared_task

from . import services


# Far above the fetch's own deadline (IMPORTER_TOTAL_TIMEOUT): the soft limit ends the
# job failed (run_import); a worker killed by the hard one leaves a job that the job
# page gives up on (services.give_up_if_stalled).
@shared_task(acks_late=True, ignore_result=True, time_limit=60, soft_time_limit=45)
def run_import_task(job_id: int) -> None:
    services.run_import(job_id)
