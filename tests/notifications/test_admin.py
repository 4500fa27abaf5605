"""The outbox in the admin: staff see every mail and can send failed ones again."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from apps.notifications.models import OutgoingMessage

pytestmark = pytest.mark.django_db


def _failed() -> OutgoingMessage:
    return OutgoingMessage.objects.create(
        template="welcome",
        to="robin@example.com",
        subject="Welcome to Whisper, Robin",
        text_body="Hello Robin",
        html_body="<p>Hello Robin</p>",
        status=OutgoingMessage.Status.FAILED,
        attempts=8,
        last_error="AnymailRequestsAPIError: 500",
    )


def test_staff_see_the_outbox(admin_client):
    message = _failed()

    response = admin_client.get(reverse("admin:notifications_outgoingmessage_changelist"))

    assert response.status_code == 200
    assert "robin@example.com" in response.content.decode()
    assert (
        admin_client.get(reverse("admin:notifications_outgoingmessage_change", args=[message.pk])).status_code
        == 200
    )


def test_send_again_queues_a_failed_mail_which_then_goes_out(
    admin_client, django_capture_on_commit_callbacks
):
    message = _failed()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:notifications_outgoingmessage_changelist"),
            {"action": "send_again", "_selected_action": [message.pk]},
        )

    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutgoingMessage.Status.SENT, 1)
    assert [m.subject for m in mail.outbox] == ["Welcome to Whisper, Robin"]
