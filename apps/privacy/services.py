"""Data retention: guests' names, addresses and messages go a while after the event.

``settings.WHISPER_GUEST_DATA_RETENTION_DAYS`` after a registry's event date
(180 days unless configured), :func:`erase_guest_data` blanks what guests
told us about themselves on its reservations, pledges and gifts bought
elsewhere: the name becomes "Guest", the address and the message "". The
rows stay, so what was reserved, the counts and the totals do not change.
Sent mail in the outbox older than the same period goes too (it quotes
names and messages). Running it again changes nothing.

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

from apps.notifications.models import OutgoingMessage
from apps.reservations.models import OffRegistryGift, Pledge, Reservation

ERASED_NAME = "Guest"


@dataclass(frozen=True)
class Erased:
    """How many rows one run blanked (or deleted, for mail)."""

    reservations: int = 0
    pledges: int = 0
    gifts: int = 0
    mails: int = 0

    @property
    def total(self) -> int:
        return self.reservations + self.pledges + self.gifts + self.mails


def retention_cutoff(today: datetime.date | None = None, days: int | None = None) -> datetime.date:
    """The latest event date whose guests' details are erased today.

    >>> retention_cutoff(datetime.date(2026, 7, 1), days=180)
    datetime.date(2026, 1, 2)
    """
    today = today or timezone.localdate()
    days = settings.WHISPER_GUEST_DATA_RETENTION_DAYS if days is None else days
    return today - datetime.timedelta(days=days)


def _not_erased() -> Q:
    return ~Q(guest_name=ERASED_NAME) | ~Q(guest_email="") | ~Q(message="")


@transaction.atomic
def erase_guest_data(today: datetime.date | None = None, days: int | None = None) -> Erased:
    """Blank the guests' details of every registry whose event was ``days`` or more days ago.

    ``days`` defaults to ``settings.WHISPER_GUEST_DATA_RETENTION_DAYS``.
    Only rows not blanked yet are touched, so a second run returns zeros.
    """
    days = settings.WHISPER_GUEST_DATA_RETENTION_DAYS if days is None else days
    cutoff = retention_cutoff(today, days)
    now = timezone.now()
    blank = {"guest_name": ERASED_NAME, "guest_email": "", "message": ""}
    reservations = (
        Reservation.objects.filter(item__registry__event_date__lte=cutoff)
        .filter(_not_erased())
        .update(**blank, updated_at=now)
    )
    pledges = (
        Pledge.objects.filter(item__registry__event_date__lte=cutoff)
        .filter(_not_erased())
        .update(**blank, updated_at=now)
    )
    gifts = (
        OffRegistryGift.objects.filter(registry__event_date__lte=cutoff).filter(_not_erased()).update(**blank)
    )
    # Mail already delivered (or given up on) that is as old as the retention period.
    mail_cutoff = now - datetime.timedelta(days=days)
    old_mail = OutgoingMessage.objects.exclude(
        status__in=[OutgoingMessage.Status.QUEUED, OutgoingMessage.Status.SENDING]
    ).filter(created_at__lt=mail_cutoff)
    _, deleted = old_mail.delete()
    mails = deleted.get(OutgoingMessage._meta.label, 0)
    return Erased(reservations=reservations, pledges=pledges, gifts=gifts, mails=mails)
