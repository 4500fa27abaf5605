"""Postmark's bounce and spam-complaint webhooks, through anymail's tracking webhook.

Postmark posts to ``/anymail/postmark/tracking/`` with basic auth
(``ANYMAIL["WEBHOOK_SECRET"]``); anymail checks it, parses the event and
sends its ``tracking`` signal, which ``on_tracking`` dispatches by event
type through ``REASONS``. Handling is idempotent (the address is the key),
so Postmark's retries and duplicates are answered 200 and change nothing.
A body that is not a Postmark event (not a JSON object, a recipient that is
not an address) is a 400 that changes nothing.
"""

from __future__ import annotations

import json
import logging

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.signals import AnymailTrackingEvent, EventType, tracking
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.core.exceptions import BadRequest, ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.validators import validate_email

from . import services
from .models import SuppressedAddress

logger = logging.getLogger(__name__)

Reason = SuppressedAddress.Reason
ADDRESS_MAX_LENGTH = SuppressedAddress._meta.get_field("email").max_length


def _text(value: object) -> str:
    """A provider's free text as we store it: a string, without NUL (PostgreSQL refuses it).

    >>> _text(None), _text(550), _text("5.1.1\\x00 unknown")
    ('', '550', '5.1.1 unknown')
    """
    return "" if value is None else str(value).replace("\x00", "")


#: Anymail's normalized event type → why we stop mailing its recipient.
REASONS = {
    EventType.BOUNCED: Reason.BOUNCED,
    EventType.COMPLAINED: Reason.COMPLAINED,
    EventType.REJECTED: Reason.REJECTED,
}


def on_tracking(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    """anymail's ``tracking`` signal: suppress the recipient of the events in ``REASONS``, ignore the rest."""
    reason = REASONS.get(event.event_type)
    if reason is None or not event.recipient:
        return
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    # A soft bounce ("Inactive": false) is not a reason to stop: Postmark
    # itself keeps delivering to the address.
    if reason != Reason.COMPLAINED and esp_event.get("Inactive") is False:
        logger.info("Soft bounce for %s ignored: %s", event.recipient, event.description)
        return
    description = _text(event.description or event.mta_response)
    services.suppress(event.recipient, reason, description, _text(event.event_id))
    logger.info("Mail to %s suppressed: %s (%s)", event.recipient, reason, description)


tracking.connect(on_tracking, dispatch_uid="notifications.tracking")


def _is_address(value: object) -> bool:
    """Whether ``value`` is an address we could store (``SuppressedAddress.email``).

    >>> _is_address("robin@example.com"), _is_address(["robin@example.com"]), _is_address("a@b\\x00.com")
    (True, False, False)
    """
    if not isinstance(value, str) or len(value) > ADDRESS_MAX_LENGTH:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


class PostmarkTrackingWebhook(PostmarkTrackingWebhookView):
    """anymail's Postmark tracking view, answering a wrong or missing secret with 403.

    anymail raises a ``SuspiciousOperation`` there, which Django turns into
    a 400; a request we refuse to trust is a 403.
    """

    def parse_events(self, request) -> list[AnymailTrackingEvent]:
        """Postmark's one event, or a 400 for a body that is not one (anymail would answer a 500)."""
        try:
            payload = json.loads(request.body)
            if not isinstance(payload, dict):
                raise TypeError(f"a JSON {type(payload).__name__}, not an object")
            event = self.esp_to_anymail_event(payload)
        except (ValueError, TypeError, AttributeError, RecursionError, ImproperlyConfigured) as exc:
            raise BadRequest(f"Not a Postmark event: {exc}") from exc
        if event.recipient is not None and not _is_address(event.recipient):
            raise BadRequest(f"Not a Postmark event: its recipient {event.recipient!r:.100} is no address")
        return [event]

    def run_validators(self, request) -> None:
        try:
            super().run_validators(request)
        except AnymailWebhookValidationFailure as exc:
            raise PermissionDenied(str(exc)) from exc
