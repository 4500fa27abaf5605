"""Celery tasks: the daily metrics report (celery beat runs it at 06:00 UTC)."""

from __future__ import annotations

import datetime

from celery import shared_task

from . import services


@shared_task(name="apps.metrics.tasks.send_metrics_report")
def send_metrics_report(day: str | None = None) -> int:
    """Queue one report mail per staff user (each retried on its own); how many."""
    day_iso = day or services.yesterday().isoformat()
    datetime.date.fromisoformat(day_iso)  # a bad date fails here, not once per user
    user_ids = list(services.report_recipients().values_list("pk", flat=True))
    for user_id in user_ids:
        send_metrics_report_to.delay(user_id, day_iso)
    return len(user_ids)


@shared_task(
    name="apps.metrics.tasks.send_metrics_report_to",
    autoretry_for=(OSError,),  # SMTP and connection errors
    retry_backoff=True,
    max_retries=5,
)
def send_metrics_report_to(user_id: int, day: str) -> bool:
    """Mail the report of ``day`` to one staff user; False when they no longer qualify."""
    user = services.report_recipients().filter(pk=user_id).first()
    if user is None:
        return False
    services.send_report_to(user.email, services.daily_report(datetime.date.fromisoformat(day)))
    return True
