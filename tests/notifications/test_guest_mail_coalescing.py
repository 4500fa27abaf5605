"""A guest's changes within a few minutes make one mail with the latest state (issue 17)."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core import mail
from django.utils import timezone

from apps.notifications import outbox
from apps.notifications import services as notifications
from apps.notifications.models import OutgoingMessage
from apps.notifications.tasks import deliver
from apps.reservations import services
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db

Status = OutgoingMessage.Status
WAIT = 1  # seconds a guest's mail waits in these tests (two minutes by default)


@pytest.fixture
def hammock(registry, settings):
    settings.WHISPER_GUEST_MAIL_COALESCE_SECONDS = WAIT
    return ItemFactory(registry=registry, title="Hammock", price="120.00", quantity=3)


def _guest_rows() -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(to="pat@example.com").order_by("pk"))


@pytest.fixture
def when_due(django_capture_on_commit_callbacks):
    """``when_due(message)``: its status once its send-after time has come and beat's job has run."""

    def run(message: OutgoingMessage) -> str:
        time.sleep(max((message.next_attempt_at - timezone.now()).total_seconds(), 0) + 0.2)
        with django_capture_on_commit_callbacks(execute=True):  # its send task, queued on commit
            outbox.release_waiting()
        message.refresh_from_db()
        return message.status

    return run


def test_three_changes_in_a_minute_make_one_mail_with_the_latest_state(hammock, when_due):
    reservation = services.UNITS.take(hammock.pk, 1, "Pat", "pat@example.com")
    services.UNITS.change(reservation.pk, 2)
    services.UNITS.mark_bought(reservation.pk)

    assert mail.outbox == []  # nothing yet: each mail waits for the next change
    rows = _guest_rows()
    assert [r.status for r in rows] == [Status.REPLACED, Status.REPLACED, Status.WAITING]
    waiting = rows[-1]
    assert waiting.coalesce_key == f"reservation:{reservation.pk}"

    assert when_due(waiting) == Status.SENT
    [sent] = mail.outbox
    # Still the first confirmation (with the manage link), saying what holds now.
    assert sent.subject.startswith("You reserved “Hammock”")
    assert "2 × “Hammock”" in sent.body
    assert "You marked it as bought" in sent.body
    assert reservation.get_manage_url() in sent.body
    # The replaced ones are never sent, even by a late or repeated task.
    assert [deliver.delay(r.pk).get() for r in rows[:2]] == [Status.REPLACED, Status.REPLACED]
    assert len(mail.outbox) == 1


def test_a_waiting_mail_has_no_task_and_is_queued_by_beats_job_once_it_is_due(
    hammock, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_DELIVER_ON_COMMIT = True  # as in production: tasks go on commit
    with django_capture_on_commit_callbacks() as on_commit:
        services.UNITS.take(hammock.pk, 1, "Pat", "pat@example.com")
    # The guest's click hands nothing to the broker.
    assert [c for c in on_commit if getattr(c, "func", None) is outbox.enqueue] == []
    [row] = _guest_rows()
    assert row.status == Status.WAITING
    assert deliver.delay(row.pk).get() == "waiting"  # a stray task sends nothing before its time
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.release_waiting() == 0
    assert mail.outbox == []

    time.sleep(WAIT + 0.2)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.release_waiting() == 1
    assert [m.subject for m in mail.outbox] == ["You reserved “Hammock” for Alex & Sam"]
    row.refresh_from_db()
    assert row.status == Status.SENT
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.release_waiting() == 0  # queued once only
    assert len(mail.outbox) == 1


def test_a_waiting_mail_whose_task_was_lost_is_sent_by_the_periodic_retry(
    hammock, settings, django_capture_on_commit_callbacks
):
    services.UNITS.take(hammock.pk, 1, "Pat", "pat@example.com")
    time.sleep(WAIT + 0.2)
    outbox.release_waiting()  # its task is never queued (no commit here): the broker lost it
    [row] = _guest_rows()
    assert row.status == Status.QUEUED
    assert mail.outbox == []

    settings.OUTBOX_STUCK_AFTER_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.requeue_stuck() == 1
    assert [m.subject for m in mail.outbox] == ["You reserved “Hammock” for Alex & Sam"]


def test_changes_further_apart_make_separate_mails(hammock, when_due):
    reservation = services.UNITS.take(hammock.pk, 1, "Pat", "pat@example.com")
    assert when_due(_guest_rows()[-1]) == Status.SENT
    services.UNITS.change(reservation.pk, 3)
    assert when_due(_guest_rows()[-1]) == Status.SENT

    first, second = mail.outbox
    assert first.subject.startswith("You reserved")
    assert second.subject == "Your reservation of “Hammock” was updated"
    assert "3 × “Hammock”" in second.body
    assert [r.status for r in _guest_rows()] == [Status.SENT, Status.SENT]


def test_a_cancellation_replaces_the_waiting_mail_and_says_it_is_cancelled(hammock, when_due):
    reservation = services.UNITS.take(hammock.pk, 1, "Pat", "pat@example.com")
    services.UNITS.cancel(reservation.pk)

    assert when_due(_guest_rows()[-1]) == Status.SENT
    [sent] = mail.outbox
    assert sent.subject == "You cancelled your reservation of “Hammock”"


def test_two_guests_and_two_claims_never_replace_each_others_mail(hammock):
    mine = services.UNITS.take(hammock.pk, 1, "Pat", "pat@example.com")
    services.UNITS.take(hammock.pk, 1, "Lou", "lou@example.com")
    services.UNITS.take(hammock.pk, 1, "Pat", "pat@example.com", key=None)
    services.UNITS.change(mine.pk, 1)  # no change: no mail

    assert OutgoingMessage.objects.filter(status=Status.WAITING).count() == 3
    assert not OutgoingMessage.objects.filter(status=Status.REPLACED).exists()


def test_a_fault_in_sending_the_coalesced_mail_is_retried(hammock, postmark, when_due):
    postmark.answer("500")
    services.UNITS.take(hammock.pk, 1, "Pat", "pat@example.com")
    [row] = _guest_rows()

    assert when_due(row) == Status.QUEUED  # Postmark failed: kept, due again after a backoff
    row.refresh_from_db()
    assert row.attempts == 1
    assert "500" in row.last_error
    assert deliver.delay(row.pk).get() == Status.SENT  # the retry (the task's own, or the periodic one)
    [received] = postmark.delivered("pat@example.com")
    assert received.payload["Subject"] == "You reserved “Hammock” for Alex & Sam"


def test_replaced_mails_do_not_count_toward_the_daily_cap_per_address(hammock):
    reservation = services.UNITS.take(hammock.pk, 1, "Pat", "pat@example.com")
    services.UNITS.change(reservation.pk, 2)
    services.UNITS.change(reservation.pk, 3)

    since = timezone.now() - datetime.timedelta(days=1)
    assert notifications.mail_standing("pat@example.com", services.GUEST_MAILS, since) == ("", 1)
