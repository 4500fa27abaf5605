"""What the notifications app contributes to the apps below it.

The outbox every mail goes through (``apps.core.emails``), the mail that goes
with a deleted account, the old mail erased with guests' details, and on the
dashboard, why a guest got no mail; and the couple's mail of a new reservation.
Registered by ``NotificationsConfig.ready()`` (see ``apps.core.hooks``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models.signals import post_save

from apps.accounts import hooks as accounts
from apps.core import emails
from apps.privacy import services as privacy
from apps.registries.hooks import dashboard_claims_listed
from apps.registries.models import Registry
from apps.reservations.signals import reservation_made

from . import outbox, services
from .models import UNSENT, OutgoingMessage, RegistryPreference

emails.outbox.register(outbox.queue)
emails.mail_standing.register(services.mail_standing)
emails.not_me.register(services.not_me)
reservation_made.register(services.reservation_made)


@accounts.deleting_account.register
def delete_mail(user) -> dict:
    """The mail we sent ``user`` (but not one being sent right now)."""
    OutgoingMessage.objects.filter(to__iexact=user.email).exclude(
        status=OutgoingMessage.Status.SENDING
    ).delete()
    return {}


@privacy.erasing_guest_data.register
def erase_old_mail(cutoff: datetime.date, mail_cutoff: datetime.datetime) -> dict[str, int]:
    """Delete mail delivered (or given up on) before ``mail_cutoff``: it quotes names and messages."""
    old_mail = OutgoingMessage.objects.exclude(status__in=UNSENT).filter(created_at__lt=mail_cutoff)
    _, deleted = old_mail.delete()
    return {"mails": deleted.get(OutgoingMessage._meta.label, 0)}


@dashboard_claims_listed.register
def mail_problems_panel(request, context: dict) -> None:
    """Set ``mail_problem`` on each reservation the dashboard lists: why its guest gets no mail."""
    services.note_mail_problems(context.get("shown_reservations", []))


def default_owner_mail(sender, instance: Registry, created: bool, raw: bool = False, **kwargs) -> None:
    """A new registry starts on ``WHISPER_OWNER_MAIL_DEFAULT`` (no row means the digest).

    Under ``make run`` that is "right away": there is no beat to send a digest,
    and the couple should see their notifications on the console.
    """
    default = settings.WHISPER_OWNER_MAIL_DEFAULT
    if created and not raw and default != RegistryPreference.OwnerMail.DIGEST:
        RegistryPreference.objects.get_or_create(registry=instance, defaults={"owner_mail": default})


post_save.connect(default_owner_mail, sender=Registry, dispatch_uid="notifications.default_owner_mail")
