"""The SaaS around us failing: Postmark answering 500 or hanging, PayPal's postback hanging.

No stack needed: the real client code (anymail's Postmark backend, the IPN
postback) talks to the loopback stand-ins of the mail and payment tests
(``postmark`` and ``paypal``, reused through this folder's conftest). What a
guest or PayPal does comes in through the test client; a failure is retried
later, and until then nothing is half-applied.
"""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from paypal.standard.ipn.models import PayPalIPN

from apps.notifications.models import OutgoingMessage
from apps.notifications.tasks import retry_unsent
from apps.payments.models import IpnDecision, Order
from apps.reservations.models import Reservation
from tests.factories import ItemFactory
from tests.payments.conftest import ipn_body, post_ipn

pytestmark = pytest.mark.django_db

Status = OutgoingMessage.Status


@pytest.mark.parametrize("trouble", ["500", "hang"])
def test_postmark_failing_keeps_the_mail_queued_and_a_later_retry_sends_it_once(
    client, registry, postmark, settings, figures, trouble, django_capture_on_commit_callbacks
):
    # The worker's own retry would come after a backoff; here beat's "retry unsent" finds it at once.
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    settings.OUTBOX_STUCK_AFTER_SECONDS = 0
    settings.ANYMAIL = {**settings.ANYMAIL, "REQUESTS_TIMEOUT": (1, 1)}  # a hang is cut short
    item = ItemFactory(registry=registry, title="Teapot", quantity=2)
    postmark.answer(trouble)
    url = reverse("reservations:reserve", args=[registry.slug, item.pk])

    started = time.monotonic()
    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the mail is handed over once the reservation commits
        response = client.post(
            url, {"quantity": 1, "guest_name": "Robin", "guest_email": "robin@example.com"}
        )
    took = time.monotonic() - started

    # The guest has their reservation; its mail waits in the outbox, tried once.
    reservation = Reservation.objects.get(guest_email="robin@example.com")
    assert response.status_code == 302
    assert Reservation.pk_from_token(response["Location"].split("/")[2]) == reservation.pk
    item.refresh_from_db()
    assert item.reserved_count == 1
    message = OutgoingMessage.objects.get(to="robin@example.com")
    assert (message.status, message.attempts) == (Status.QUEUED, 1)
    assert ("500" if trouble == "500" else "Timeout") in message.last_error
    assert postmark.delivered() == []

    # Postmark is fine again; the periodic retry sends it, once.
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_unsent.delay().get() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 2, "")
    [received] = postmark.delivered("robin@example.com")
    assert message.provider_message_id == received.message_id
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_unsent.delay().get() == 0
    assert len(postmark.delivered()) == 1

    figures(
        f"Postmark answering {trouble}",
        reservation_failed=0,
        request_took_s=round(took, 1),
        attempts=message.attempts,
        delivered=1,
        duplicates=0,
    )


def test_paypal_postback_hanging_applies_nothing_and_paypals_resend_applies_it_once(
    client, paypal, order, settings, figures
):
    assert post_ipn(client, ipn_body("completed")).status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    stored = PayPalIPN.objects.count()
    paypal.answer = "HANG"

    started = time.monotonic()
    response = post_ipn(client, ipn_body("refunded"))
    took = time.monotonic() - started

    # PayPal is told to send it again; nothing of the refund was stored or applied.
    assert response.status_code == 503
    assert took < settings.PAYPAL_POSTBACK_TIMEOUT + 2
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert PayPalIPN.objects.count() == stored
    assert not IpnDecision.objects.filter(action="refund").exists()

    paypal.answer = "VERIFIED"
    paypal.released.set()
    assert post_ipn(client, ipn_body("refunded")).status_code == 200
    assert post_ipn(client, ipn_body("refunded")).status_code == 200  # PayPal may send it twice
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert list(
        IpnDecision.objects.filter(action="refund").order_by("id").values_list("outcome", flat=True)
    ) == [
        "applied",
        "rejected",
    ]

    figures(
        "PayPal postback hanging",
        answered=response.status_code,
        answered_in_s=round(took, 1),
        applied_while_hanging=0,
        applied_after_resend=1,
    )
