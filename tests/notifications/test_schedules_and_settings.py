"""Celery beat's mail schedules (CELERY_BEAT_SCHEDULE) and how production picks its mail backend."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from whisper.celery import app


@pytest.mark.django_db
def test_beat_retries_unsent_mail_every_minute_and_runs_the_daily_mails_hourly():
    for name, entry in app.conf.beat_schedule.items():  # as beat's DatabaseScheduler does when it starts
        ModelEntry.from_entry(name, app=app, **entry)
    tasks = {t.task: t for t in PeriodicTask.objects.filter(task__startswith="apps.notifications.")}

    retry = tasks["apps.notifications.tasks.retry_unsent"]
    assert (retry.interval.every, retry.interval.period, retry.enabled) == (60, "seconds", True)
    # A guest's mail that waited for a newer one goes out at most 10 s after its time.
    release = tasks["apps.notifications.tasks.release_waiting"]
    assert (release.interval.every, release.interval.period, release.enabled) == (10, "seconds", True)
    # Every hour: each run mails the registries whose local hour has come (see test_local_hours).
    for name, minute in [
        ("send_digests", "0"),
        ("send_guest_reminders", "5"),
        ("send_thank_you_reminders", "10"),
    ]:
        task = tasks[f"apps.notifications.tasks.{name}"]
        assert (task.crontab.minute, task.crontab.hour, task.enabled) == (minute, "*", True)
    # Each names a task the worker knows.
    app.loader.import_default_modules()
    assert set(tasks) <= set(app.tasks)


def test_the_send_task_is_acknowledged_late():
    from apps.notifications.tasks import deliver

    assert deliver.acks_late is True


def _production_backend(**env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in {"POSTMARK_SERVER_TOKEN", "EMAIL_BACKEND"}}
    environ.update(SECRET_KEY="a-production-like-secret-key-for-this-test-only-0123456789", **env)
    code = "import whisper.settings.production as s; print(s.EMAIL_BACKEND)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_production_sends_through_postmark_when_its_token_is_set():
    assert (
        _production_backend(POSTMARK_SERVER_TOKEN="server-token") == "anymail.backends.postmark.EmailBackend"
    )


def test_production_without_a_token_writes_mail_to_the_console():
    assert _production_backend() == "django.core.mail.backends.console.EmailBackend"
