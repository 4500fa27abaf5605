"""A failing celery task sends Sentry an event too."""

from __future__ import annotations

import pytest
from celery import shared_task

from tests.sentry.conftest import flush


class ImportFailed(Exception):
    pass


@shared_task(name="tests.sentry.failing_import")
def failing_import(owner_email: str) -> None:
    raise ImportFailed(f"could not fetch the page for {owner_email}")


def test_a_failing_task_sends_an_event(sentry_ingest):
    with pytest.raises(ImportFailed):
        failing_import.apply(args=["owner@example.com"])
    flush()

    [event] = sentry_ingest.events
    [exception] = event["exception"]["values"]
    assert exception["type"] == "ImportFailed"
    assert exception["mechanism"]["type"] == "celery"
    assert exception["value"] == "could not fetch the page for [email]"
    assert event["release"] == "whisper@test-release"
    assert event["extra"]["celery-job"]["task_name"] == "tests.sentry.failing_import"
