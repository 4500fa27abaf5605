"""Celery tasks of the notifications app, each running a service.

``deliver`` sends one outbox row (queued on commit by ``apps.core.emails.send``).
The others run from celery beat (``CELERY_BEAT_SCHEDULE`` in the settings):
``release_waiting`` every few seconds, ``retry_unsent`` every minute, the digest and the reminders once a day.
"""

from __future__ import annotations

from celery import shared_task

from . import outbox, services


@shared_task(bind=True, name="apps.notifications.tasks.deliver", acks_late=True, max_retries=None)
def deliver(self, message_id: int) -> str:
    """Send outbox message ``message_id``; a redelivered or duplicate task does nothing.

    ``acks_late``: the broker forgets the task only once it has run, so a
    worker killed mid-send leaves it to be redelivered. Retries are bounded
    by the row's own attempt count (``OUTBOX_MAX_ATTEMPTS``).
    """
    outcome = outbox.deliver(message_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        # Inline (make run, tests) the periodic retry takes over instead.
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


# The periodic jobs run their services as they are (beat calls them by these names).
release_waiting = shared_task(name="apps.notifications.tasks.release_waiting")(outbox.release_waiting)
retry_unsent = shared_task(name="apps.notifications.tasks.retry_unsent")(outbox.requeue_stuck)
send_digests = shared_task(name="apps.notifications.tasks.send_digests")(services.send_digests)
send_guest_reminders = shared_task(name="apps.notifications.tasks.send_guest_reminders")(
    services.send_guest_reminders
)
send_thank_you_reminders = shared_task(name="apps.notifications.tasks.send_thank_you_reminders")(
    services.send_thank_you_reminders
)
