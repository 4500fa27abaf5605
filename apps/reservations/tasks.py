"""Celery task: release the PayPal contributions nobody paid (celery beat runs it hourly)."""

from __future__ import annotations

from celery import shared_task

from . import funds


@shared_task(name="apps.reservations.tasks.release_unpaid_pledges")
def release_unpaid_pledges() -> int:
    """Cancel the contributions still waiting for PayPal past the hold; how many."""
    return funds.release_unpaid()
