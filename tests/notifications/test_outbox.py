"""The outbox in this process: written in the caller's transaction, sent on commit, retried, skipped."""

from __future__ import annotations

import datetime
from email.mime.image import MIMEImage

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from apps.core import emails
from apps.notifications import outbox, services
from apps.notifications.models import Kind, OutgoingMessage, SuppressedAddress

pytestmark = pytest.mark.django_db

Status = OutgoingMessage.Status
WELCOME = {"name": "Robin", "create_url": "https://whisper.example/registries/new/"}


def _welcome(to: str = "robin@example.com") -> OutgoingMessage:
    return emails.send("welcome", to, WELCOME)


def test_the_mail_is_written_in_the_transaction_and_sent_once_it_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = _welcome()
            assert OutgoingMessage.objects.filter(pk=message.pk, status=Status.QUEUED).exists()
        assert mail.outbox == []  # committed, but the on-commit callbacks have not run yet

    assert [m.to for m in mail.outbox] == [["robin@example.com"]]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 1)
    assert message.sent_at is not None


def test_a_rolled_back_event_leaves_no_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _welcome()
        raise RuntimeError("the event fails after queueing its mail")

    assert not OutgoingMessage.objects.exists()
    assert mail.outbox == []


def test_every_mail_has_text_html_and_the_header_image_inline():
    message = _welcome()

    [sent] = mail.outbox
    assert "Hello Robin" in sent.body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert f'src="cid:{emails.HEADER_CID}"' in html
    [image] = sent.attachments
    assert isinstance(image, MIMEImage)
    assert image["Content-ID"] == f"<{emails.HEADER_CID}>"
    assert image.get_content_disposition() == "inline"
    assert image.get_payload(decode=True).startswith(b"\x89PNG")
    # The row alone is enough to send it again: everything was rendered up front.
    assert (message.subject, message.text_body, message.html_body) == (sent.subject, sent.body, html)


def test_the_mime_structure_keeps_the_image_with_the_html():
    _welcome()

    raw = mail.outbox[0].message()
    assert raw.get_content_type() == "multipart/related"
    alternative, image = raw.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert image.get_content_type() == "image/png"


def test_notifications_carry_an_unsubscribe_link_and_list_unsubscribe_headers():
    message = outbox.queue("guest_reminder", "robin@example.com", _reminder_context(), kind=Kind.NOTIFICATION)

    [sent] = mail.outbox
    url = outbox.unsubscribe_url("robin@example.com")
    assert sent.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in sent.body
    assert f'href="{url}"' in sent.alternatives[0][0]
    assert message.kind == Kind.NOTIFICATION


def test_transactional_mail_has_no_unsubscribe_link():
    message = _welcome()

    [sent] = mail.outbox
    assert "List-Unsubscribe" not in sent.extra_headers
    assert "nsubscribe" not in sent.body
    assert message.kind == Kind.TRANSACTIONAL


def test_mail_to_a_bounced_address_is_skipped_and_says_why():
    services.suppress("Robin@Example.com", SuppressedAddress.Reason.BOUNCED, "mailbox not found")

    message = _welcome("robin@example.com")

    assert mail.outbox == []
    message.refresh_from_db()
    assert message.status == Status.SKIPPED
    assert message.last_error == "Not sent: the address bounced."
    assert message.attempts == 0


def test_an_unsubscribed_address_still_gets_transactional_mail_but_no_notifications():
    services.unsubscribe("robin@example.com")

    welcome = _welcome()
    reminder = outbox.queue("guest_reminder", "robin@example.com", _reminder_context())

    assert [m.subject for m in mail.outbox] == ["Welcome to Whisper, Robin"]
    assert OutgoingMessage.objects.get(pk=welcome.pk).status == Status.SENT
    assert OutgoingMessage.objects.get(pk=reminder.pk).status == Status.SKIPPED


def test_a_redelivered_task_does_nothing():
    message = _welcome()

    for _ in range(2):
        assert outbox.deliver(message.pk) == outbox.Outcome(Status.SENT)

    assert len(mail.outbox) == 1
    assert OutgoingMessage.objects.get(pk=message.pk).attempts == 1


def test_a_send_another_worker_has_in_flight_is_left_alone():
    message = _welcome()
    OutgoingMessage.objects.filter(pk=message.pk).update(status=Status.SENDING, claimed_at=timezone.now())

    assert outbox.deliver(message.pk) == outbox.Outcome("busy")
    assert len(mail.outbox) == 1  # only the first delivery


def test_postmark_failing_is_recorded_with_a_backoff(settings, postmark):
    postmark.answer("500")

    message = _welcome()

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    assert "500" in message.last_error
    delay = (message.next_attempt_at - timezone.now()).total_seconds()
    assert settings.OUTBOX_RETRY_BASE_SECONDS - 5 < delay <= settings.OUTBOX_RETRY_BASE_SECONDS
    assert postmark.delivered() == []


def test_a_mail_postmark_refuses_is_not_retried(postmark):
    postmark.answer("422")

    message = _welcome()

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert "422" in message.last_error
    assert message.next_attempt_at is None
    assert outbox.requeue_stuck() == 0


def test_the_payload_reaches_postmark_with_the_token_text_html_and_inline_image(postmark):
    message = _welcome()

    [received] = postmark.delivered("robin@example.com")
    assert received.payload["TextBody"] == message.text_body
    assert received.payload["HtmlBody"] == message.html_body
    assert received.payload["Attachments"][0]["ContentID"] == f"cid:{emails.HEADER_CID}"
    message.refresh_from_db()
    assert message.provider_message_id == received.message_id


def test_a_wrong_server_token_is_refused_and_retried_later(settings, postmark):
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_SERVER_TOKEN": "not-the-token"}

    message = _welcome()

    message.refresh_from_db()
    assert message.status == Status.QUEUED  # a 401 may be a misconfiguration being fixed: keep it
    assert [r.answer for r in postmark.received] == ["bad-token"]


def test_out_of_attempts_the_mail_fails_for_good(settings, postmark):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    postmark.answer("500", "500")
    message = _welcome()

    outbox.deliver(message.pk)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 2)
    assert outbox.deliver(message.pk) == outbox.Outcome(Status.FAILED)
    assert postmark.delivered() == []


def test_the_periodic_retry_takes_lost_and_stale_messages_only(settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_STUCK_AFTER_SECONDS = 180
    settings.OUTBOX_SENDING_TIMEOUT_SECONDS = 120
    now = timezone.now()
    ago = lambda seconds: now - datetime.timedelta(seconds=seconds)  # noqa: E731
    rows = {
        "lost": {"status": Status.QUEUED, "next_attempt_at": ago(600)},
        "just queued": {"status": Status.QUEUED, "next_attempt_at": ago(10)},
        "retry not due": {"status": Status.QUEUED, "next_attempt_at": now + datetime.timedelta(minutes=5)},
        "never released": {"status": Status.WAITING, "next_attempt_at": ago(600)},
        "waiting": {"status": Status.WAITING, "next_attempt_at": now + datetime.timedelta(minutes=1)},
        "just due": {"status": Status.WAITING, "next_attempt_at": ago(10)},  # "send what waited" takes it
        "died mid-send": {"status": Status.SENDING, "claimed_at": ago(600)},
        "sending now": {"status": Status.SENDING, "claimed_at": ago(5)},
        "sent": {"status": Status.SENT},
        "failed": {"status": Status.FAILED},
    }
    for name, fields in rows.items():
        OutgoingMessage.objects.create(
            template="welcome",
            to=f"{name.replace(' ', '-')}@example.com",
            subject=name,
            text_body="Hi",
            html_body="<p>Hi</p>",
            **fields,
        )

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.requeue_stuck() == 3

    assert sorted(m.to[0] for m in mail.outbox) == [
        "died-mid-send@example.com",
        "lost@example.com",
        "never-released@example.com",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.requeue_stuck() == 0  # sent now; the others are not due


def _reminder_context() -> dict:
    from tests.factories import ItemFactory, ReservationFactory

    reservation = ReservationFactory(item=ItemFactory(title="Teapot"), guest_email="robin@example.com")
    return {
        "reservation": reservation,
        "item": reservation.item,
        "registry": reservation.item.registry,
        "days_left": 3,
        "manage_url": emails.absolute(reservation.get_manage_url()),
    }
