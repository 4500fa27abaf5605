"""Who gets which mail, and when: the notification workflows.

- ``reservation_made``: the couple hears of a new reservation right away
  (if they chose so), in the reservation's own transaction.
- ``send_digests``: once a day, one mail per registry whose couple chose the
  digest, with every reservation since the last one.
- ``send_guest_reminders`` / ``send_thank_you_reminders``: once each, a few
  days before / after the event.

Days are the couple's: beat runs these every hour, and each run mails the
registries where ``NOTIFICATIONS_LOCAL_HOUR`` (9 am) has come today, in the
registry's time zone, and that have not had their mail this local day — at
nine every morning on their clock, whatever daylight saving does to UTC.
- ``suppress`` / ``unsubscribe`` / ``not_me``: addresses we stop mailing,
  ``mail_standing`` for the rules on guests' mail, and
  ``note_mail_problems`` to show the couple why a guest got no mail.

What the couple is told always follows the registry's spoiler setting
(``Registry.owner_view()``): everything, counts only, or nothing until the
day after the event.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone

from apps.core import emails
from apps.items.models import Item
from apps.ops import flags
from apps.registries.models import Registry
from apps.reservations.models import Reservation

from .models import GuestReminder, Kind, OutgoingMessage, RegistryPreference, SuppressedAddress

OwnerMail = RegistryPreference.OwnerMail
Spoilers = Registry.Spoilers

# A first run (or a long outage) must not remind couples of events long past.
THANK_YOU_WINDOW_DAYS = 30


# Preferences -----------------------------------------------------------------
def preference_for(registry: Registry) -> RegistryPreference:
    """The registry's preference; an unsaved default one if the couple never chose."""
    return RegistryPreference.objects.filter(registry=registry).first() or RegistryPreference(
        registry=registry
    )


@transaction.atomic
def set_owner_mail(registry: Registry, owner_mail: str) -> RegistryPreference:
    """Choose how the couple hears of new reservations.

    Switching to the digest starts it now: what was reserved before was
    already mailed one by one (or deliberately not at all).
    """
    if owner_mail not in OwnerMail.values:
        raise ValueError(f"unknown choice {owner_mail!r}")
    preference, _ = RegistryPreference.objects.select_for_update().get_or_create(registry=registry)
    if owner_mail == OwnerMail.DIGEST and preference.owner_mail != OwnerMail.DIGEST:
        preference.last_digest_at = timezone.now()
    preference.owner_mail = owner_mail
    preference.save()
    return preference


def _mail_owners(name: str, registry: Registry, context: dict) -> int:
    owners = registry.owners.filter(is_active=True).order_by("pk").values_list("email", "language")
    with registry.local_time():  # the times in the mail on the couple's clock
        for email, language in owners:
            emails.send(name, email, context, language=language)
    return len(owners)


def _local_slot(registry: Registry, now: datetime.datetime) -> datetime.datetime | None:
    """Today's sending time on the couple's clock (``NOTIFICATIONS_LOCAL_HOUR``), or None before it."""
    local = registry.local_now(now)
    slot = datetime.datetime.combine(
        local.date(), datetime.time(settings.NOTIFICATIONS_LOCAL_HOUR), tzinfo=registry.zone
    )
    return slot if local >= slot else None


def _owner_links(registry: Registry) -> dict[str, str]:
    return {
        "dashboard_url": emails.absolute(reverse("registries:dashboard", args=[registry.slug])),
        "settings_url": emails.absolute(reverse("notifications:settings", args=[registry.slug])),
    }


# New reservations ----------------------------------------------------------------
def reservation_made(reservation: Reservation) -> int:
    """Queue the couple's "new reservation" mail, if they want it now; how many were queued.

    Call it in the reservation's transaction. With the spoiler setting on
    "counts" the mail says how many gifts were reserved, not what or by
    whom; on "nothing" (before the reveal) no mail is sent at all.
    """
    if Reservation.item.is_cached(reservation) and reservation.item is not None:
        item = reservation.item  # as the reservation service just read it, with its registry
    else:
        item = Item.objects.select_related("registry").get(pk=reservation.item_id)
    registry = item.registry
    if _owner_mail(registry) != OwnerMail.IMMEDIATELY:
        return 0
    view = registry.owner_view()
    if view == Spoilers.NONE:
        return 0
    context = {"registry": registry, "view": view, "units": reservation.quantity, **_owner_links(registry)}
    if view == Spoilers.ALL:
        context.update(reservation=reservation, item=item)
    else:
        context["total_units"] = registry.items.aggregate(total=Sum("reserved_count"))["total"] or 0
    return _mail_owners("owner_new_reservation", registry, context)


def _owner_mail(registry: Registry) -> str:
    """How the couple of ``registry`` wants to hear of new reservations (the default if they never chose).

    Read on every guest's claim, so written out as one small statement: the
    ORM's query for it cost four times as much CPU (as in ``mail_standing``).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT owner_mail FROM {RegistryPreference._meta.db_table} WHERE registry_id = %s",  # nosec B608  # noqa: S608
            [registry.pk],
        )
        row = cursor.fetchone()
    return row[0] if row else RegistryPreference._meta.get_field("owner_mail").default


# The daily digest ------------------------------------------------------------------
def send_digests(now: datetime.datetime | None = None) -> int:
    """Queue one digest per registry on the digest (the default) that has news; how many mails.

    At most one a local day per registry, once its local hour has come
    (``_local_slot``): beat calls this every hour. Turned off as a whole by
    the ``digest_mail`` feature flag. Each registry is its own transaction:
    its mails and its new ``last_digest_at`` are written together, so a
    crash mid-run sends nobody a digest twice.
    """
    if not flags.is_enabled(flags.DIGEST_MAIL):
        return 0
    now = now or timezone.now()
    # A first digest looks back a day at most; later ones to their last one.
    first_since = now - datetime.timedelta(days=1)
    digests = RegistryPreference.objects.filter(owner_mail=OwnerMail.DIGEST)
    oldest = digests.aggregate(oldest=Min("last_digest_at"))["oldest"]
    since = min(oldest, first_since) if oldest else first_since
    # Registries with reservations in that time, on the digest (also by default: no row).
    with_news = set(
        Reservation.objects.active()
        .filter(created_at__gt=since, created_at__lte=now)
        .values_list("item__registry_id", flat=True)
    )
    with_news -= set(
        RegistryPreference.objects.filter(registry_id__in=with_news)
        .exclude(owner_mail=OwnerMail.DIGEST)
        .values_list("registry_id", flat=True)
    )
    registry_ids = sorted(with_news)
    return sum(_send_digest(registry_id, now, first_since) for registry_id in registry_ids)


@transaction.atomic
def _send_digest(registry_id: int, now: datetime.datetime, first_since: datetime.datetime) -> int:
    registry = Registry.objects.get(pk=registry_id)
    RegistryPreference.objects.get_or_create(registry=registry)
    preference = (
        RegistryPreference.objects.select_for_update(skip_locked=True)
        .filter(registry=registry, owner_mail=OwnerMail.DIGEST)
        .first()
    )
    if preference is None:  # switched off meanwhile, or another run has it
        return 0
    since = preference.last_digest_at or first_since
    slot = _local_slot(registry, now)
    if slot is None or since >= slot:  # not nine yet where they live, or today's digest went out
        return 0
    preference.last_digest_at = now
    preference.save(update_fields=["last_digest_at", "updated_at"])
    view = registry.owner_view(registry.local_today(now))
    if view == Spoilers.NONE:
        return 0  # a surprise stays a surprise; these are not mailed later either
    reservations = list(
        Reservation.objects.active()
        .filter(item__registry=registry, created_at__gt=since, created_at__lte=now)
        .select_related("item")
        .order_by("created_at")
    )
    if not reservations:
        return 0
    context = {
        "registry": registry,
        "view": view,
        "count": len(reservations),
        "units": sum(r.quantity for r in reservations),
        "reservations": reservations if view == Spoilers.ALL else [],
        "since": since,
        **_owner_links(registry),
    }
    return _mail_owners("owner_digest", registry, context)


# Reminders ---------------------------------------------------------------------
def send_guest_reminders(now: datetime.datetime | None = None) -> int:
    """Remind guests whose gift is not marked bought, once, in the days before the event.

    A reservation qualifies from ``NOTIFICATIONS_GUEST_REMINDER_DAYS`` days
    before the event until its day, if it was made before today (someone
    who reserved this morning needs no reminder), "today" being the
    couple's, from their local sending hour on. Returns how many were sent.
    """
    now = now or timezone.now()
    # Every zone's today is within a day of UTC's: the database narrows, each registry decides.
    utc_today = now.astimezone(datetime.UTC).date()
    last = utc_today + datetime.timedelta(days=settings.NOTIFICATIONS_GUEST_REMINDER_DAYS + 1)
    due = (
        Reservation.objects.active()
        .filter(
            bought_at__isnull=True,
            guest_reminder__isnull=True,
            item__registry__event_date__range=(utc_today - datetime.timedelta(days=1), last),
        )
        .select_related("item__registry")
        .order_by("pk")
    )
    sent = 0
    for reservation in due:
        registry = reservation.item.registry
        today = registry.local_today(now)
        days_left = (registry.event_date - today).days
        if (
            _local_slot(registry, now) is not None
            and 0 <= days_left <= settings.NOTIFICATIONS_GUEST_REMINDER_DAYS
            and registry.local_today(reservation.created_at) < today
        ):
            sent += _remind_guest(reservation, today)
    return sent


@transaction.atomic
def _remind_guest(reservation: Reservation, today: datetime.date) -> int:
    _, created = GuestReminder.objects.get_or_create(reservation=reservation)
    if not created:  # a concurrent run got here first
        return 0
    registry = reservation.item.registry
    with registry.local_time():
        _send_guest_reminder(reservation, registry, today)
    return 1


def _send_guest_reminder(reservation: Reservation, registry: Registry, today: datetime.date) -> None:
    emails.send(
        "guest_reminder",
        reservation.guest_email,
        {
            "reservation": reservation,
            "item": reservation.item,
            "registry": registry,
            "days_left": (registry.event_date - today).days,
            "manage_url": emails.absolute(reservation.get_manage_url()),
        },
        language=reservation.language,
    )


def send_thank_you_reminders(now: datetime.datetime | None = None) -> int:
    """Remind couples, once, to thank guests they have not ticked off yet; how many mails.

    Sent ``NOTIFICATIONS_THANK_YOU_DAYS`` days after the event, at the
    couple's local sending hour (or on the first run after that, within
    ``THANK_YOU_WINDOW_DAYS``).
    """
    now = now or timezone.now()
    utc_today = now.astimezone(datetime.UTC).date()
    latest = utc_today - datetime.timedelta(days=settings.NOTIFICATIONS_THANK_YOU_DAYS - 1)
    to_thank = Q(items__reservations__cancelled_at__isnull=True, items__reservations__thanked=False)
    registries = (
        Registry.objects.filter(
            event_date__lte=latest,
            event_date__gt=latest - datetime.timedelta(days=THANK_YOU_WINDOW_DAYS + 2),
        )
        .exclude(notification_preference__thank_you_reminded_at__isnull=False)
        .annotate(to_thank=Count("items__reservations", filter=to_thank))
        .filter(to_thank__gt=0)
        .order_by("pk")
    )
    sent = 0
    for registry in registries:
        days_after = (registry.local_today(now) - registry.event_date).days
        due = (
            settings.NOTIFICATIONS_THANK_YOU_DAYS
            <= days_after
            < settings.NOTIFICATIONS_THANK_YOU_DAYS + (THANK_YOU_WINDOW_DAYS)
        )
        if due and _local_slot(registry, now) is not None:
            sent += _remind_couple(registry)
    return sent


@transaction.atomic
def _remind_couple(registry: Registry) -> int:
    preference, _ = RegistryPreference.objects.select_for_update().get_or_create(registry=registry)
    if preference.thank_you_reminded_at is not None:
        return 0
    preference.thank_you_reminded_at = timezone.now()
    preference.save(update_fields=["thank_you_reminded_at", "updated_at"])
    context = {"registry": registry, "to_thank": registry.to_thank, **_owner_links(registry)}
    return _mail_owners("owner_thank_you_reminder", registry, context)


# Addresses we stop mailing -------------------------------------------------------
@transaction.atomic
def suppress(email: str, reason: str, description: str = "", event_id: str = "") -> SuppressedAddress:
    """Stop mailing ``email`` (all mail, or only notifications for an unsubscribe).

    Idempotent. An unsubscribe never replaces a delivery problem, which
    stops more mail; a delivery problem replaces an unsubscribe.
    """
    email = email.strip().lower()
    fields = {"reason": reason, "description": description[:500], "provider_event_id": event_id[:100]}
    row, created = SuppressedAddress.objects.select_for_update().get_or_create(email=email, defaults=fields)
    weaker = (
        reason == SuppressedAddress.Reason.UNSUBSCRIBED
        and row.reason != SuppressedAddress.Reason.UNSUBSCRIBED
    )
    if not created and not weaker:
        for name, value in fields.items():
            setattr(row, name, value)
        row.save()
    return row


def unsubscribe(email: str) -> SuppressedAddress:
    """The person behind ``email`` wants no more notifications (transactional mail still goes)."""
    return suppress(email, SuppressedAddress.Reason.UNSUBSCRIBED, "Unsubscribed through the link in a mail.")


def not_me(email: str) -> SuppressedAddress:
    """The person behind ``email`` says a guest's mail to it was not theirs: it gets no more mail."""
    return suppress(email, SuppressedAddress.Reason.NOT_ME, "Said “this wasn't me” through a guest's mail.")


def mail_standing(email: str, templates: Iterable[str], since: datetime.datetime) -> tuple[str, int]:
    """Whether ``email`` may get a guest's mail: why it gets no mail at all ("" if it may), and
    how many mails of ``templates`` were written to it (in any case) since ``since``.

    An unsubscribe still lets a guest's own mail through; a replaced mail was
    never sent and does not count. Asked before every guest's claim, so in
    one statement written out: the ORM spent more CPU building the two
    queries than the database spends answering them (the outgoing index is
    ``notif_outbox_to_upper_created``).
    """
    templates = list(templates)
    suppressed, outgoing = SuppressedAddress._meta.db_table, OutgoingMessage._meta.db_table
    sql = (
        # Table and column names from the models, every value a parameter.
        f"SELECT (SELECT reason FROM {suppressed} WHERE email = %s AND reason <> %s),"  # nosec B608  # noqa: S608
        f" (SELECT COUNT(*) FROM {outgoing} WHERE UPPER({connection.ops.quote_name('to')}) = UPPER(%s)"
        f" AND template IN ({', '.join(['%s'] * len(templates))}) AND created_at >= %s AND status <> %s)"
    )
    params = [
        email.strip().lower(),
        SuppressedAddress.Reason.UNSUBSCRIBED,
        email.strip(),
        *templates,
        connection.ops.adapt_datetimefield_value(since),
        OutgoingMessage.Status.REPLACED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        reason, sent = cursor.fetchone()
    return (SuppressedAddress(reason=reason).explanation if reason else ""), sent


def note_mail_problems(reservations: Iterable[Reservation]) -> None:
    """Set ``mail_problem`` on each reservation: why its guest gets no mail, or "" (one query at most)."""
    reservations = list(reservations)
    wanted = {r.guest_email.strip().lower() for r in reservations if r.guest_email}
    rows = SuppressedAddress.objects.blocking(Kind.TRANSACTIONAL).filter(email__in=wanted) if wanted else []
    problems = {row.email: row.explanation for row in rows}
    for reservation in reservations:
        reservation.mail_problem = problems.get(reservation.guest_email.strip().lower(), "")
