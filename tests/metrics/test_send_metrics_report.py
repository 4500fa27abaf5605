"""The daily report: ``manage.py send_metrics_report`` and the celery beat job."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from apps.metrics.models import Counter
from apps.metrics.tasks import send_metrics_report
from tests.factories import UserFactory
from whisper.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbers():
    """Yesterday against the day before and the same day last week."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    rows = {
        yesterday: {"signups": 12, "reservations": 30, "revenue": 4500},
        yesterday - datetime.timedelta(days=1): {"signups": 10, "reservations": 40},
        yesterday - datetime.timedelta(days=7): {"signups": 6, "revenue": 4500},
        yesterday - datetime.timedelta(days=3): {"signups": 999},  # in no column
    }
    Counter.objects.bulk_create(
        Counter(day=day, name=name, value=value)
        for day, values in rows.items()
        for name, value in values.items()
    )
    return yesterday


@pytest.fixture
def staff_members(staff):
    other = UserFactory(email="lead@example.com", is_staff=True)
    UserFactory(email="gone@example.com", is_staff=True, is_active=False)
    UserFactory(email="couple@example.com")
    return [staff, other]


def test_the_command_mails_every_active_staff_user(numbers, staff_members):
    out = StringIO()
    call_command("send_metrics_report", stdout=out)

    assert sorted(m.to[0] for m in mail.outbox) == ["lead@example.com", "ops@example.com"]
    assert f"Sent the metrics report for {numbers} to 2 staff." in out.getvalue()


def test_the_mail_has_yesterday_against_the_day_before_and_last_week(numbers, staff_members):
    call_command("send_metrics_report", stdout=StringIO())

    message = mail.outbox[0]
    assert numbers.strftime("%-d %b %Y") in message.subject
    body = message.body
    assert "Sign-ups: 12\n    day before 10 (+20%), last week 6 (+100%)" in body
    assert "Reservations: 30\n    day before 40 (-25%), last week 0 (new)" in body
    assert "Revenue: 45.00\n    day before 0.00 (new), last week 45.00 (±0%)" in body
    assert "999" not in body
    assert "/staff/metrics/" in body
    html = message.alternatives[0].content
    assert "<strong>12</strong>" in html
    assert "+20%" in html


def test_a_given_day_can_be_reported(numbers, staff_members):
    earlier = numbers - datetime.timedelta(days=1)

    call_command("send_metrics_report", "--day", earlier.isoformat(), stdout=StringIO())

    assert "Sign-ups: 10\n" in mail.outbox[0].body


def test_a_bad_day_is_a_clear_error(staff_members):
    with pytest.raises(CommandError, match="a date like"):
        call_command("send_metrics_report", "--day", "yesterday-ish")
    assert mail.outbox == []


def test_without_staff_nothing_is_sent_and_it_says_so(numbers):
    err = StringIO()
    call_command("send_metrics_report", stdout=StringIO(), stderr=err)

    assert mail.outbox == []
    assert "nothing sent" in err.getvalue()


def test_the_celery_task_mails_each_staff_user(numbers, staff_members):
    result = send_metrics_report.apply()

    assert result.get() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@example.com", "ops@example.com"]
    assert "Sign-ups: 12\n" in mail.outbox[0].body


def test_celery_beat_runs_the_report_daily_at_six_utc():
    for name, entry in app.conf.beat_schedule.items():  # as beat's DatabaseScheduler does when it starts
        ModelEntry.from_entry(name, app=app, **entry)
    task = PeriodicTask.objects.get(task="apps.metrics.tasks.send_metrics_report")

    assert task.enabled
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("0", "6", "*")
    assert (crontab.day_of_month, crontab.month_of_year, str(crontab.timezone)) == ("*", "*", "UTC")
