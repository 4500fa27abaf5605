"""Under make run the console shows each mail's headers and text part, not base64 (issue 17)."""

from __future__ import annotations

import io

import pytest

from apps.core import emails
from apps.core.console_mail import EmailBackend
from apps.notifications import outbox
from apps.notifications.models import OutgoingMessage

pytestmark = pytest.mark.django_db


def test_an_outbox_mail_prints_its_text_part_and_notes_instead_of_base64():
    row = emails.send("welcome", "robin@example.com", {"name": "Zoë", "create_url": "https://w.example/new/"})
    stream = io.StringIO()

    EmailBackend(stream=stream).send_messages([outbox.build(OutgoingMessage.objects.get(pk=row.pk))])

    printed = stream.getvalue()
    assert f"Subject: {row.subject}" in printed
    assert "=?utf-8?" not in printed  # headers decoded, as a person reads them
    assert "To: robin@example.com" in printed
    assert "Hello Zoë" in printed
    assert "https://w.example/new/" in printed  # the link, readable, not quoted-printable or base64
    assert "[text/html alternative, " in printed
    assert "[inline email-header.png, image/png, " in printed
    assert "iVBORw0KGgo" not in printed  # the PNG's base64 signature
    assert "<html" not in printed.lower()
