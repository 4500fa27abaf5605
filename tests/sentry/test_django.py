"""A view that raises sends Sentry an event: type, release, environment, no email addresses."""

from __future__ import annotations

import json

import pytest
import sentry_sdk
from django.test import Client

from tests.sentry.conftest import flush

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_site(settings):
    settings.ROOT_URLCONF = "tests.sentry.urls"
    return Client(raise_request_exception=False)


def test_a_failing_view_sends_an_event_with_type_release_and_environment(sentry_ingest, failing_site):
    response = failing_site.post("/fail/", {"email": "guest@example.com", "name": "Robin"})
    flush()

    assert response.status_code == 500
    [event] = sentry_ingest.events
    [exception] = event["exception"]["values"]
    assert exception["type"] == "ReservationFailed"
    assert exception["mechanism"]["handled"] is False
    assert event["release"] == "whisper@test-release"
    assert event["environment"] == "test"
    assert event["transaction"] == "/fail/"


def test_guest_email_addresses_are_scrubbed_everywhere(sentry_ingest, failing_site):
    failing_site.post("/fail/", {"email": "guest@example.com", "name": "Robin"})
    flush()

    raw = b"".join(sentry_ingest.bodies)
    assert b"guest@example.com" not in raw
    [event] = sentry_ingest.events
    assert event["exception"]["values"][0]["value"] == "could not reserve the teapot for [email]"
    assert event["request"]["data"]["email"] == "[email]"
    assert event["request"]["data"]["name"] == "Robin"


def test_no_personal_data_about_the_user_is_sent(sentry_ingest, failing_site, couple):
    failing_site.force_login(couple)
    failing_site.post("/fail/", {"email": "guest@example.com", "password": "hunter2-secret"})
    flush()

    assert sentry_sdk.get_client().should_send_default_pii() is False
    [event] = sentry_ingest.events
    raw = json.dumps(event)
    assert couple.email not in raw
    assert "hunter2-secret" not in raw
    assert "127.0.0.1" not in json.dumps(event.get("user", {}))
    assert "email" not in event.get("user", {})
    assert "sessionid" not in json.dumps(event["request"].get("cookies", {}))


def test_without_a_dsn_nothing_is_initialised():
    """The test settings set no SENTRY_DSN, so the SDK stays inactive."""
    assert sentry_sdk.get_client().is_active() is False
