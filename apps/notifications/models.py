"""What the notifications app stores.

- ``OutgoingMessage``: the outbox. Every mail is a row, written in the same
  transaction as the event that causes it and rendered there, so the row
  alone is enough to send it, whenever a worker gets to it.
- ``SuppressedAddress``: addresses we no longer mail, and why (a bounce or a
  spam complaint reported by Postmark, an unsubscribe, or "this wasn't me").
- ``RegistryPreference``: how a registry's couple wants to hear about new
  reservations (right away, a daily digest — the default, also for a
  registry without a row —, or not at all), and the bookkeeping of the
  digest and of the thank-you reminder.
- ``GuestReminder``: the reservations whose guest was reminded (once).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    # Mail the person asked for by doing something (a link to verify, a receipt).
    TRANSACTIONAL = "transactional", _("Transactional")
    # Mail we send on our own (notifications, digests, reminders): it carries
    # an unsubscribe link and List-Unsubscribe headers.
    NOTIFICATION = "notification", _("Notification (can be unsubscribed)")


# A mail not sent yet, nor given up on (``OutgoingMessage.Status``): what the periodic
# jobs scan (their index) and what old-mail erasure keeps.
UNSENT = ["waiting", "queued", "sending"]


class OutgoingMessage(models.Model):
    class Status(models.TextChoices):
        # A guest's mail in its few minutes' wait (``next_attempt_at``), when a newer
        # mail about the same thing replaces it. No task carries it yet: once it is
        # due, ``outbox.release_waiting()`` (celery beat) queues it.
        WAITING = "waiting", _("Waiting")
        # Handed to the workers: a send task is on its way (or the periodic retry's).
        QUEUED = "queued", _("Queued")
        # A worker claimed it and is talking to the provider right now (or
        # died doing so: see ``apps.notifications.outbox``).
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")  # gave up: refused by the provider, or out of attempts
        SKIPPED = "skipped", _("Skipped")  # the address is suppressed
        # Never sent: a newer mail with the same ``coalesce_key`` took its place while it waited.
        REPLACED = "replaced", _("Replaced by a newer mail")

    template = models.CharField(max_length=100, help_text=_("The folder under templates/emails/."))
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=998)
    text_body = models.TextField()
    html_body = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TRANSACTIONAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text=_("When the last attempt started."))
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(_("Postmark MessageID"), max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Mails about the same thing to the same person (a guest's claim) share a key: while
    # one waits for its send-after time (``next_attempt_at``), a newer one replaces it.
    coalesce_key = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # What the periodic jobs scan: the few unsent rows, by due time.
            models.Index(
                fields=["next_attempt_at"],
                name="notif_outbox_unsent_due",
                condition=Q(status__in=UNSENT),
            ),
            models.Index(fields=["to", "-created_at"], name="notif_outbox_to"),
            # The waiting mail a newer one with the same key replaces.
            models.Index(fields=["coalesce_key"], name="notif_outbox_waiting", condition=Q(status="waiting")),
            # A guest's day of mail, counted before each new claim (``to__iexact``, any case).
            models.Index(Upper("to"), "created_at", name="notif_outbox_to_upper_created"),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.to} ({self.status})"


class SuppressedAddressQuerySet(models.QuerySet):
    def blocking(self, kind: str) -> SuppressedAddressQuerySet:
        """Suppressions that stop mail of ``kind``: an unsubscribe stops notifications only."""
        if kind == Kind.TRANSACTIONAL:
            return self.exclude(reason=SuppressedAddress.Reason.UNSUBSCRIBED)
        return self


class SuppressedAddress(models.Model):
    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("the address bounced")
        COMPLAINED = "complained", _("the recipient marked our mail as spam")
        REJECTED = "rejected", _("the mail provider refuses to deliver to it")
        UNSUBSCRIBED = "unsubscribed", _("the recipient unsubscribed")
        # "This wasn't me", from the link in a guest's mail: nobody may make us mail them again.
        NOT_ME = "not_me", _("the address's owner said a guest's gift in their name wasn't theirs")

    # Stored lowercased: mail systems treat addresses case-insensitively in practice.
    email = models.EmailField(max_length=254, unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    description = models.CharField(max_length=500, blank=True, help_text=_("What the provider said."))
    provider_event_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SuppressedAddressQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("suppressed addresses")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"

    @property
    def explanation(self) -> str:
        """Why mail to this address is not delivered, in words a couple reads."""
        return str(self.get_reason_display())


class RegistryPreference(models.Model):
    class OwnerMail(models.TextChoices):
        IMMEDIATELY = "immediately", _("Right away — one email per reservation")
        DIGEST = "digest", _("Once a day — a digest of the day's reservations")
        OFF = "off", _("Never — I'll look at my dashboard")

    registry = models.OneToOneField(
        "registries.Registry", on_delete=models.CASCADE, related_name="notification_preference"
    )
    owner_mail = models.CharField(
        _("email me about new reservations"),
        max_length=12,
        choices=OwnerMail.choices,
        default=OwnerMail.DIGEST,  # quietly: one mail a day at most, until the couple asks for more
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)
    thank_you_reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.registry_id}: {self.owner_mail}"


class GuestReminder(models.Model):
    """A guest was reminded before the event that their gift is not marked bought (once)."""

    reservation = models.OneToOneField(
        "reservations.Reservation", on_delete=models.CASCADE, related_name="guest_reminder"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"reminder for reservation {self.reservation_id}"
