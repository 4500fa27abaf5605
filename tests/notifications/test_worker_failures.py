"""Real stack, things going wrong: the broker is down, a worker is killed mid-send.

Both run on a redis-server of their own (``own_redis``), so stopping it or
leaving a killed worker's unacknowledged task behind touches nobody else.
"""

from __future__ import annotations

import time

import pytest

from apps.notifications.models import OutgoingMessage
from apps.notifications.tasks import deliver, retry_unsent
from apps.reservations import services as reservations
from apps.reservations.models import Reservation
from tests.factories import ItemFactory, RegistryFactory

from .conftest import Broker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.timeout(180)]

Status = OutgoingMessage.Status


@pytest.fixture
def teapot():
    return ItemFactory(registry=RegistryFactory(slug="pat-and-lou"), title="Teapot", quantity=2)


@pytest.fixture
def broker(own_redis, publish_to) -> Broker:
    broker = Broker(own_redis.url, "mail")
    publish_to(broker)
    return broker


def _message(to: str) -> OutgoingMessage:
    return OutgoingMessage.objects.get(to=to)


def test_broker_down_when_the_reservation_is_made_the_mail_arrives_once_it_is_back(
    teapot, own_redis, broker, postmark, celery_process
):
    worker = celery_process("worker", broker, postmark.url)
    beat = celery_process("beat", broker)
    own_redis.stop()

    started = time.monotonic()
    reservations.reserve(teapot.pk, 1, "Robin", "robin@example.com")

    # The reservation is saved, without a long wait; its mail waits in the outbox.
    assert time.monotonic() - started < 5
    assert Reservation.objects.filter(guest_email="robin@example.com").exists()
    message = _message("robin@example.com")
    assert message.status == Status.QUEUED
    assert postmark.received == []

    own_redis.start()
    # Beat's next "retry unsent" queues it again; the worker sends it.
    assert wait_for(lambda: _message("robin@example.com").status == Status.SENT, 90), (
        worker.output() + beat.output()
    )
    assert len(postmark.delivered("robin@example.com")) == 1
    assert "apps.notifications.tasks.retry_unsent" in beat.output()


def test_a_worker_killed_mid_send_leaves_the_mail_to_the_next_one_which_delivers_it_once(
    teapot, broker, postmark, celery_process
):
    postmark.answer("hang")  # Postmark never answers the first attempt
    first = celery_process("worker", broker, postmark.url)

    reservations.reserve(teapot.pk, 1, "Robin", "robin@example.com")

    assert postmark.hanging.wait(30), first.output()
    first.kill()  # SIGKILL, worker and pool process, mid-request
    message = _message("robin@example.com")
    assert (message.status, message.attempts) == (Status.SENDING, 1)
    assert postmark.delivered() == []

    # A new worker; once the attempt is older than the provider's timeout
    # (2 s here), the periodic retry hands the message to it.
    second = celery_process("worker", broker, postmark.url, OUTBOX_SENDING_TIMEOUT_SECONDS="2")

    def delivered() -> bool:
        if _message("robin@example.com").status != Status.SENT:
            retry_unsent.delay()  # what beat does every minute
            return False
        return True

    assert wait_for(delivered, 60, interval=1), second.output()
    message.refresh_from_db()
    assert message.attempts == 2
    [received] = postmark.delivered()
    assert received.payload["To"] == "robin@example.com"
    assert message.provider_message_id == received.message_id

    # The killed worker's task, redelivered, finds the mail sent: still one delivery.
    done = _succeeded(second, "deliver")
    deliver.delay(message.pk)
    assert wait_for(lambda: _succeeded(second, "deliver") > done, 30), second.output()
    assert len(postmark.received) == 2  # the hung attempt and the delivery


def _succeeded(process, task: str) -> int:
    """How many ``task`` runs the worker's log reports as finished."""
    return sum(f"tasks.{task}[" in line and " succeeded " in line for line in process.output().splitlines())
