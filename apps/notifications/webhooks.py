"""Postmark's bounce and spam-complaint webhooks, through anymail's tracking webhook.

Postmark posts to ``/anymail/postmark/tracking/`` with basic auth
(``ANYMAIL["WEBHOOK_SECRET"]``); anymail checks it, parses the event and
sends its ``tracking`` signal, which ``on_tracking`` dispatches by event
type through ``HANDLERS``. Handling is idempotent (the address is the key),
so Postmark's retries and duplicates are answered 200 and change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.signals import AnymailTrackingEvent, EventType, tracking
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.core.exceptions import PermissionDenied

from . import services
from .models import SuppressedAddress

logger = logging.getLogger(__name__)

Reason = SuppressedAddress.Reason


def _undeliverable(reason: str) -> Callable[[AnymailTrackingEvent], None]:
    def handle(event: AnymailTrackingEvent) -> None:
        esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
        # A soft bounce ("Inactive": false) is not a reason to stop: Postmark
        # itself keeps delivering to the address.
        if reason != Reason.COMPLAINED and esp_event.get("Inactive") is False:
            logger.info("Soft bounce for %s ignored: %s", event.recipient, event.description)
            return
        description = event.description or event.mta_response or ""
        services.suppress(event.recipient, reason, description, event.event_id or "")
        logger.info("Mail to %s suppressed: %s (%s)", event.recipient, reason, description)

    return handle


#: Anymail's normalized event type → what we do about it.
HANDLERS: dict[str, Callable[[AnymailTrackingEvent], None]] = {
    EventType.BOUNCED: _undeliverable(Reason.BOUNCED),
    EventType.COMPLAINED: _undeliverable(Reason.COMPLAINED),
    EventType.REJECTED: _undeliverable(Reason.REJECTED),
}


def on_tracking(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    """anymail's ``tracking`` signal: act on the events in ``HANDLERS``, ignore the rest."""
    handler = HANDLERS.get(event.event_type)
    if handler is not None and event.recipient:
        handler(event)


def connect() -> None:
    tracking.connect(on_tracking, dispatch_uid="notifications.tracking")


class PostmarkTrackingWebhook(PostmarkTrackingWebhookView):
    """anymail's Postmark tracking view, answering a wrong or missing secret with 403.

    anymail raises a ``SuspiciousOperation`` there, which Django turns into
    a 400; a request we refuse to trust is a 403.
    """

    def run_validators(self, request) -> None:
        try:
            super().run_validators(request)
        except AnymailWebhookValidationFailure as exc:
            raise PermissionDenied(str(exc)) from exc
