"""The outbox: every mail is a row written with the event that causes it, then delivered.

``queue()`` (what ``apps.core.emails.send`` calls) renders the mail and
writes an ``OutgoingMessage`` in the caller's transaction; once it commits,
the ``deliver`` task is queued (celery on Redis; inline under ``make run``).
A guest's mail that waits a few minutes for a newer one to replace it is
written ``waiting`` instead, with no task: ``release_waiting()`` (celery
beat, every few seconds) queues the ones whose time has come, so a guest's
click costs no broker round trip and the broker holds no delayed tasks.
``deliver()`` sends one row; ``requeue_stuck()`` (celery beat, every minute)
queues again what a lost task left behind.

What "never lost" means here, exactly:

- A mail exists if and only if its event committed (same transaction).
- Until a row is ``sent``, ``skipped`` or ``failed``, something will try it
  again: the task's own retry (with exponential backoff), and behind it the
  periodic ``requeue_stuck()`` for tasks that never ran (broker down when
  the event committed, a worker killed, a lost retry).
- A redelivered task does nothing: the row is claimed under a row lock
  (``SELECT … FOR UPDATE SKIP LOCKED``) and only a ``queued`` row, or a
  ``sending`` one whose attempt is older than the provider's timeout, is sent.
- Before calling Postmark the claim (``sending``, ``claimed_at``,
  ``attempts + 1``) is committed, so a worker that dies mid-send still leaves
  its attempt counted, and a mail that kills workers gives up after
  ``OUTBOX_MAX_ATTEMPTS``.
- Delivery is at least once, not exactly once: Postmark's API has no
  idempotency key. A worker killed while the request is in flight (before
  Postmark accepted it) leaves a stale ``sending`` row that the next worker
  sends: one delivery. A worker killed after Postmark accepted the mail but
  before the ``sent`` row committed makes the next worker send it again: a
  duplicate. That window is one HTTP response and one UPDATE long;
  ``acks_late`` on the task gives the same guarantee for the broker message.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from email.mime.image import MIMEImage
from pathlib import Path

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.core import emails

from . import services
from .models import Kind, OutgoingMessage, SuppressedAddress

logger = logging.getLogger(__name__)

Status = OutgoingMessage.Status
# Unsent rows no worker holds: a task for them marks them queued and due now.
_UNCLAIMED = [Status.WAITING, Status.QUEUED]

#: Mails we send on our own account: they carry an unsubscribe link and
#: List-Unsubscribe headers, and an unsubscribed address does not get them.
NOTIFICATIONS = frozenset(
    {"owner_new_reservation", "owner_digest", "guest_reminder", "owner_thank_you_reminder", "metrics_report"}
)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"  # a signing salt, not a secret
# 4xx answers worth retrying: a bad or missing server token (an operator
# fixes the configuration, the mail must not be lost meanwhile), a timeout,
# a rate limit. Any other 4xx refuses the mail itself, for good.
_RETRYABLE_4XX = {401, 403, 408, 429}
# A task may run this much before its row's send-after time (clocks, rounding).
_EARLY = datetime.timedelta(milliseconds=250)


# Unsubscribe links -------------------------------------------------------
def unsubscribe_token(email: str) -> str:
    """A signed token naming ``email``; it does not expire (old mails keep working).

    >>> email_from_token(unsubscribe_token("Robin@Example.com"))
    'robin@example.com'
    """
    return signing.dumps(email.strip().lower(), salt=UNSUBSCRIBE_SALT, compress=True)


def email_from_token(token: str) -> str:
    """The address inside an unsubscribe token; raises ``signing.BadSignature``."""
    value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(value, str) or "@" not in value:
        raise signing.BadSignature("not an unsubscribe token")
    return value


def unsubscribe_url(email: str) -> str:
    return emails.absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(email)]))


# Writing -------------------------------------------------------------------
def queue(
    name: str,
    to: str,
    context: dict,
    kind: str | None = None,
    language: str | None = None,
    *,
    coalesce_key: str = "",
    delay: float = 0,
    sticky: Iterable[str] = (),
    first: bool = False,
) -> OutgoingMessage:
    """Render the mail ``name`` for ``to`` and write it to the outbox (in the caller's transaction).

    The send task is queued once the transaction commits (at once outside
    one). ``kind`` defaults to a notification for the names in
    :data:`NOTIFICATIONS` and to transactional for every other name.

    With a ``coalesce_key`` the mail waits ``delay`` seconds before it is
    sent (``waiting``, queued by :func:`release_waiting` once due), and a
    newer mail with the same key written meanwhile takes its place: the
    waiting one is marked ``replaced`` and never sent, so several
    changes in a few minutes make one mail with the latest state. When the
    waiting mail's template is one of ``sticky`` (a first confirmation), the
    newer mail keeps that template: its first mail still says what the
    confirmation says, with the latest values. ``first``: the caller knows
    that no mail can wait under the key yet (it names a claim made in this
    very transaction), so none is looked for.
    """
    kind = kind or (Kind.NOTIFICATION if name in NOTIFICATIONS else Kind.TRANSACTIONAL)
    now = timezone.now()
    if coalesce_key and not first:
        name = _replace_waiting(coalesce_key, to, name, frozenset(sticky))
    headers: dict[str, str] = {}
    if kind == Kind.NOTIFICATION:
        url = unsubscribe_url(to)
        context = {**context, "unsubscribe_url": url}
        # RFC 8058 one-click: mail apps show "Unsubscribe" and POST to the URL.
        headers = {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    subject, text, html = emails.render(name, context, language)
    delay = max(float(delay), 0.0) if coalesce_key else 0.0
    message = OutgoingMessage.objects.create(
        template=name,
        to=to,
        subject=subject[:998],
        text_body=text,
        html_body=html,
        headers=headers,
        kind=kind,
        coalesce_key=coalesce_key[:100],
        status=Status.WAITING if delay else Status.QUEUED,
        next_attempt_at=now + datetime.timedelta(seconds=delay),
    )
    if delay:
        return message  # no task yet: release_waiting() queues it when it is due
    if settings.OUTBOX_DELIVER_ON_COMMIT:
        enqueue_on_commit(message.pk)
    else:
        enqueue(message.pk)
    return message


# Inside the caller's transaction as it is (no savepoint: an error fails the caller's
# transaction anyway); a transaction of its own outside any, for the row locks.
@transaction.atomic(savepoint=False)
def _replace_waiting(key: str, to: str, name: str, sticky: frozenset[str]) -> str:
    """Mark the mails waiting under ``key`` replaced; the template the newer mail is written with.

    Only a mail still waiting is replaced (a late one too, which nothing has
    queued yet); one being queued right now (locked) is left to it, so at
    worst the guest gets both.
    """
    waiting = list(
        OutgoingMessage.objects.select_for_update(skip_locked=True)
        .filter(coalesce_key=key[:100], to=to, status=Status.WAITING)
        .order_by("pk")
    )
    if not waiting:
        return name
    OutgoingMessage.objects.filter(pk__in=[m.pk for m in waiting]).update(
        status=Status.REPLACED,
        next_attempt_at=None,
        last_error="Replaced by a newer mail about the same thing.",
    )
    kept = next((m.template for m in waiting if m.template in sticky), None)
    return kept or name


def enqueue_on_commit(message_id: int) -> None:
    """Hand one message to the ``deliver`` task once the transaction commits.

    The outbox's ``delay_on_commit`` (celery's, which every other task is
    queued with): the same, but through :func:`enqueue`, so that a broker
    that does not answer never fails the write that committed.
    """
    transaction.on_commit(functools.partial(enqueue, message_id))


def enqueue(message_id: int) -> None:
    """Hand one message to the ``deliver`` task.

    If the broker is down, the message stays queued in the database and
    ``requeue_stuck()`` hands it over again later: the event that caused it
    has committed and must not fail because of mail.
    """
    from .tasks import deliver

    if deliver.app.conf.task_always_eager:
        # make run / tests: inline, errors surface.
        deliver.delay(message_id)
        return
    try:
        # One quick retry: a web request must not hang on a dead broker.
        deliver.apply_async(
            (message_id,),
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0.2, "interval_step": 0, "interval_max": 0.2},
        )
    except Exception:
        logger.warning(
            "Could not queue mail %s (is the broker down?); the periodic retry will send it.",
            message_id,
            exc_info=True,
        )


# Delivering --------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt did; ``retry_in`` seconds when it should be tried again."""

    status: str
    retry_in: float | None = None


def backoff(attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failure: doubling, capped.

    >>> from django.conf import settings
    >>> [backoff(n) for n in (1, 2, 3)] == [settings.OUTBOX_RETRY_BASE_SECONDS * f for f in (1, 2, 4)]
    True
    """
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return float(min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS))


def deliver(message_id: int) -> Outcome:
    """Send one outbox message, if nobody has yet; record what happened.

    Returns the outcome; its ``retry_in`` is set after a failure worth
    retrying (the task schedules the retry).
    """
    claimed = _claim(message_id)
    if isinstance(claimed, Outcome):
        return claimed
    message = claimed
    try:
        provider_id = _send(message)
    except Exception as exc:
        return _record_failure(message, exc)
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        provider_message_id=provider_id[:100],
        next_attempt_at=None,
        last_error="",
    )
    logger.info("Mail %s (%s) sent to %s: %s", message.pk, message.template, message.to, provider_id)
    return Outcome(Status.SENT)


def _claim(message_id: int) -> OutgoingMessage | Outcome:
    """Lock the row and mark it ``sending`` (committed before anything is sent)."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS)
    with transaction.atomic():
        message = OutgoingMessage.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        if message is None:
            # Gone, or locked by a worker claiming it right now: either way not ours.
            return Outcome("busy")
        if message.status in {Status.SENT, Status.SKIPPED, Status.FAILED, Status.REPLACED}:
            return Outcome(message.status)  # a redelivered task, or a newer mail took its place
        early = message.next_attempt_at and message.next_attempt_at > now + _EARLY
        if message.status == Status.WAITING and early:
            # Before its send-after time it may still be replaced: release_waiting() queues it when due.
            return Outcome("waiting")
        if message.status == Status.SENDING:
            if message.claimed_at and message.claimed_at > stale:
                return Outcome("busy")  # another worker is talking to the provider
            logger.warning(
                "Mail %s: the attempt started at %s never finished (worker died?); sending it again.",
                message.pk,
                message.claimed_at,
            )
        suppression = (
            SuppressedAddress.objects.blocking(message.kind).filter(email=message.to.lower()).first()
        )
        if suppression is not None:
            message.status = Status.SKIPPED
            message.next_attempt_at = None
            message.last_error = f"Not sent: {suppression.explanation}."
            message.save(update_fields=["status", "next_attempt_at", "last_error"])
            return Outcome(Status.SKIPPED)
        message.status = Status.SENDING
        message.claimed_at = now
        message.attempts += 1
        message.save(update_fields=["status", "claimed_at", "attempts"])
    return message


@functools.lru_cache(maxsize=2)
def _header_image_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


def build(message: OutgoingMessage) -> EmailMultiAlternatives:
    """The email for an outbox row: text, HTML alternative and the inline header image."""
    email = EmailMultiAlternatives(
        message.subject,
        message.text_body,
        settings.DEFAULT_FROM_EMAIL,
        [message.to],
        headers=dict(message.headers),
    )
    email.attach_alternative(message.html_body, "text/html")
    email.mixed_subtype = "related"  # the image belongs to the HTML, it is not a download
    # The header image, inline: the HTML refers to its Content-ID (``cid:``).
    image = MIMEImage(_header_image_bytes(str(settings.EMAIL_HEADER_IMAGE)), "png")
    image.add_header("Content-ID", f"<{emails.HEADER_CID}>")
    image.add_header("Content-Disposition", "inline", filename="email-header.png")
    email.attach(image)
    return email


def _send(message: OutgoingMessage) -> str:
    """Send through ``EMAIL_BACKEND``; the provider's message id (Postmark's MessageID) or ""."""
    email = build(message)
    email.send()
    status = getattr(email, "anymail_status", None)  # set by anymail's backends only
    return str(status.message_id or "") if status is not None else ""


def _is_permanent(exc: Exception) -> bool:
    """Whether the provider refused the mail for good (retrying would change nothing).

    >>> _is_permanent(AnymailAPIError("bad request", status_code=422))
    True
    >>> _is_permanent(AnymailAPIError("server error", status_code=500))
    False
    >>> _is_permanent(ConnectionResetError())
    False
    """
    if isinstance(exc, AnymailAPIError):
        code = exc.status_code
        return code is not None and 400 <= code < 500 and code not in _RETRYABLE_4XX
    return isinstance(exc, AnymailError)  # refused recipients, invalid addresses, …


def _record_failure(message: OutgoingMessage, exc: Exception) -> Outcome:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if isinstance(exc, AnymailRecipientsRefused):
        _suppress_refused(message, exc)
    now = timezone.now()
    if _is_permanent(exc) or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        logger.error(
            "Mail %s to %s failed for good after %s attempt(s): %s",
            message.pk,
            message.to,
            message.attempts,
            error,
        )
        OutgoingMessage.objects.filter(pk=message.pk).update(
            status=Status.FAILED, next_attempt_at=None, last_error=error
        )
        return Outcome(Status.FAILED)
    delay = backoff(message.attempts)
    logger.warning(
        "Mail %s to %s failed (attempt %s), retrying in %ss: %s",
        message.pk,
        message.to,
        message.attempts,
        delay,
        error,
    )
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status=Status.QUEUED, next_attempt_at=now + datetime.timedelta(seconds=delay), last_error=error
    )
    return Outcome(Status.QUEUED, retry_in=delay)


def _suppress_refused(message: OutgoingMessage, exc: AnymailRecipientsRefused) -> None:
    """Postmark refused the address itself as inactive (an earlier bounce or complaint)."""
    status = getattr(exc, "email_message", None) and getattr(exc.email_message, "anymail_status", None)
    recipient = status.recipients.get(message.to) if status is not None else None
    if recipient is not None and recipient.status == "rejected":
        services.suppress(
            message.to, SuppressedAddress.Reason.REJECTED, "Postmark marked the address inactive."
        )


# The periodic jobs ----------------------------------------------------------
def release_waiting(limit: int = 500) -> int:
    """Queue the send task for the waiting mails whose time has come; how many.

    Celery beat calls it every ``OUTBOX_RELEASE_WAITING_SECONDS``: a guest's
    mail goes out that long after its wait at most. The rows are ``queued``
    in the same transaction, so two runs at once never queue one twice, and
    a task lost on the way is the periodic retry's, as any other.
    """
    return len(_hand_over(Q(status=Status.WAITING, next_attempt_at__lte=timezone.now()), limit))


def requeue_stuck(limit: int = 500) -> int:
    """Queue the send task again for messages whose task was lost; how many.

    That is: ``queued`` rows still waiting ``OUTBOX_STUCK_AFTER_SECONDS``
    after they were due, ``waiting`` ones too (their release never ran: beat's
    "send what waited" was off or failing), and ``sending`` rows whose attempt
    started more than ``OUTBOX_SENDING_TIMEOUT_SECONDS`` ago. Each one picked
    is not picked again for another ``OUTBOX_STUCK_AFTER_SECONDS``, so a slow
    queue is not flooded with copies (a copy would do nothing anyway).
    """
    now = timezone.now()
    grace = datetime.timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
    stale = now - datetime.timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS)
    ids = _hand_over(
        Q(status__in=_UNCLAIMED, next_attempt_at__lte=now - grace)
        | Q(status=Status.SENDING, claimed_at__lte=stale),
        limit,
    )
    if ids:
        logger.info("Queued %s unsent mail(s) again.", len(ids))
    return len(ids)


def _hand_over(rows: Q, limit: int) -> list[int]:
    """Queue the send task for up to ``limit`` of the outbox's ``rows`` (the longest due first); their ids.

    Under their row locks (rows another job holds are skipped): the ones not
    yet tried are marked ``queued`` and due now, and every task goes once
    the marks commit.
    """
    with transaction.atomic():
        ids = list(
            OutgoingMessage.objects.select_for_update(skip_locked=True)
            .filter(rows)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        OutgoingMessage.objects.filter(pk__in=ids, status__in=_UNCLAIMED).update(
            status=Status.QUEUED, next_attempt_at=timezone.now()
        )
        for pk in ids:
            enqueue_on_commit(pk)
    return ids
