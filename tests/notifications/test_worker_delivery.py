"""Real stack: a reservation's mail goes through Redis to a real celery worker, then to "Postmark".

The test process makes the reservation (its transaction commits: the tests
are transactional) and the outbox queues ``deliver`` on Redis; a ``celery
worker`` process on the same test database sends it with anymail's Postmark
backend to the loopback stand-in.
"""

from __future__ import annotations

import base64
import re

import pytest

from apps.notifications.models import OutgoingMessage
from apps.notifications.tasks import deliver
from apps.reservations import services as reservations
from apps.reservations.models import Reservation
from tests.factories import ItemFactory, RegistryFactory

from .conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.timeout(120)]

Status = OutgoingMessage.Status


@pytest.fixture
def teapot():
    return ItemFactory(registry=RegistryFactory(slug="pat-and-lou"), title="Teapot", quantity=2)


def _status(message_id: int) -> str:
    return OutgoingMessage.objects.values_list("status", flat=True).get(pk=message_id)


def test_a_reservation_confirmation_arrives_with_html_text_and_the_inline_image(
    teapot, postmark, shared_broker, publish_to, celery_process
):
    worker = celery_process("worker", shared_broker, postmark.url)
    publish_to(shared_broker)

    reservation = reservations.reserve(teapot.pk, 1, "Robin", "robin@example.com")

    message = OutgoingMessage.objects.get(to="robin@example.com")
    assert wait_for(lambda: _status(message.pk) == Status.SENT), worker.output()
    [received] = postmark.delivered("robin@example.com")
    payload = received.payload
    assert "Teapot" in payload["Subject"]
    # The manage link of this reservation, in both parts.
    for body in (payload["TextBody"], payload["HtmlBody"]):
        token = re.search(r"/reservations/([^/\s\"]+)/", body).group(1)
        assert Reservation.pk_from_token(token) == reservation.pk
    [image] = payload["Attachments"]
    assert image["ContentType"] == "image/png"
    assert f'src="{image["ContentID"]}"' in payload["HtmlBody"]
    assert base64.b64decode(image["Content"]).startswith(b"\x89PNG")
    message.refresh_from_db()
    assert (message.provider_message_id, message.attempts) == (received.message_id, 1)
    assert message.sent_at is not None


def test_postmark_failing_twice_is_delivered_once_on_the_third_try(
    teapot, postmark, shared_broker, publish_to, celery_process
):
    postmark.answer("500", "500")
    worker = celery_process("worker", shared_broker, postmark.url, OUTBOX_RETRY_BASE_SECONDS="1")
    publish_to(shared_broker)

    reservations.reserve(teapot.pk, 1, "Robin", "robin@example.com")

    message = OutgoingMessage.objects.get(to="robin@example.com")
    assert wait_for(lambda: _status(message.pk) == Status.SENT, 60), worker.output()
    assert [r.answer for r in postmark.received] == ["500", "500", "ok"]
    assert len(postmark.delivered("robin@example.com")) == 1
    message.refresh_from_db()
    assert message.attempts == 3
    assert message.last_error == ""

    # A redelivered task (acks_late) finds the row sent and does nothing.
    deliver.delay(message.pk)
    deliver.delay(message.pk)
    assert wait_for(lambda: worker.output().count("succeeded") >= 3, 30), worker.output()
    assert len(postmark.received) == 3


def test_a_guests_three_quick_changes_reach_postmark_as_one_mail_once_it_is_due(
    teapot, postmark, shared_broker, publish_to, celery_process, settings
):
    settings.WHISPER_GUEST_MAIL_COALESCE_SECONDS = 3
    worker = celery_process("worker", shared_broker, postmark.url)
    beat = celery_process("beat", shared_broker)  # its "send what waited" queues the mail once due
    publish_to(shared_broker)

    reservation = reservations.reserve(teapot.pk, 1, "Robin", "robin@example.com")
    reservations.UNITS.change(reservation.pk, 2)
    reservations.UNITS.mark_bought(reservation.pk)

    waiting = OutgoingMessage.objects.get(to="robin@example.com", status=Status.WAITING)
    assert OutgoingMessage.objects.filter(to="robin@example.com", status=Status.REPLACED).count() == 2
    assert postmark.delivered("robin@example.com") == []  # nothing goes before its send-after time
    assert wait_for(lambda: _status(waiting.pk) == Status.SENT, 30), worker.output() + beat.output()
    [received] = postmark.delivered("robin@example.com")
    assert received.payload["Subject"] == "You reserved “Teapot” for Alex & Sam"
    assert "2 × “Teapot”" in received.payload["TextBody"]
    assert "You marked it as bought" in received.payload["TextBody"]
