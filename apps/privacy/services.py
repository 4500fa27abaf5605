"""Data retention: guests' names, addresses and messages go a while after the event.

``settings.WHISPER_GUEST_DATA_RETENTION_DAYS`` after a registry's event date
(180 days unless configured), :func:`erase_guest_data` blanks what guests
told us about themselves on its reservations, pledges and gifts bought
elsewhere: the name becomes "Guest", the address and the message "". The
rows stay, so what was reserved, the counts and the totals do not change.
Sent mail in the outbox older than the same period goes too (it quotes
names and messages). Running it again changes nothing. The apps that keep
guests' details contribute their erasure to :data:`erasing_guest_data`
(reservations, notifications), so this app imports none of them.

Celery beat runs it daily (``apps.privacy.tasks``); ``manage.py
erase_guest_data`` runs it by hand.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.hooks import Hook

ERASED_NAME = "Guest"
BLANK = {"guest_name": ERASED_NAME, "guest_email": "", "message": ""}

# fn(cutoff: date, mail_cutoff: datetime) -> dict of Erased counts: blank the app's guest details of the
# registries whose event was on or before ``cutoff``, and delete its mail sent before ``mail_cutoff``.
erasing_guest_data = Hook("guests' details to erase")


@dataclass(frozen=True)
class Erased:
    """How many rows one run blanked (or deleted, for mail)."""

    reservations: int = 0
    pledges: int = 0
    gifts: int = 0
    mails: int = 0


def retention_cutoff(today: datetime.date | None = None, days: int | None = None) -> datetime.date:
    """The latest event date whose guests' details are erased today.

    >>> retention_cutoff(datetime.date(2026, 7, 1), days=180)
    datetime.date(2026, 1, 2)
    """
    today = today or timezone.localdate()
    days = settings.WHISPER_GUEST_DATA_RETENTION_DAYS if days is None else days
    return today - datetime.timedelta(days=days)


def not_erased() -> Q:
    """The rows whose guest details are not blanked yet."""
    return ~Q(guest_name=ERASED_NAME) | ~Q(guest_email="") | ~Q(message="")


@transaction.atomic
def erase_guest_data(today: datetime.date | None = None, days: int | None = None) -> Erased:
    """Blank the guests' details of every registry whose event was ``days`` or more days ago.

    ``days`` defaults to ``settings.WHISPER_GUEST_DATA_RETENTION_DAYS``.
    Only rows not blanked yet are touched, so a second run returns zeros.
    """
    days = settings.WHISPER_GUEST_DATA_RETENTION_DAYS if days is None else days
    # Mail already delivered (or given up on) that is as old as the retention period goes too.
    mail_cutoff = timezone.now() - datetime.timedelta(days=days)
    counts: dict[str, int] = {}
    for part in erasing_guest_data(retention_cutoff(today, days), mail_cutoff):
        counts.update(part)
    return Erased(**counts)
