"""What the site counts by itself: receivers connected in ``MetricsConfig.ready()``.

Sign-ups, verified accounts, registries, items and reservations come from the
models' ``post_save``; mails sent and bounced from django-anymail's signals.
``count()`` waits for the transaction to commit, so rolled-back work is not
counted. Upgrades, revenue, pledges and the importer call ``count()`` themselves.
"""

from __future__ import annotations

from django.db.models.signals import post_init, post_save

from .api import count

# Set on each user as it is loaded, to see email_verified turn True on save.
_VERIFIED_ATTR = "_metrics_was_verified"


def _remember_verified(sender, instance, **kwargs) -> None:
    # Read __dict__, not the attribute: a deferred field must not cost a query.
    setattr(instance, _VERIFIED_ATTR, instance.__dict__.get("email_verified"))


def _user_saved(sender, instance, created: bool, update_fields=None, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: not something that happened on the site
        return
    if created:
        count("signups")
    verified = instance.__dict__.get("email_verified")
    if update_fields is not None and "email_verified" not in update_fields:
        return
    was = getattr(instance, _VERIFIED_ATTR, None)
    if verified and (created or was is False):
        count("verified_accounts")
    setattr(instance, _VERIFIED_ATTR, verified)


def _counter_of_created(name: str):
    def receiver(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
        if created and not raw:
            count(name)

    receiver.__name__ = f"count_{name}"
    return receiver


_CREATED = {
    "registries.Registry": _counter_of_created("registries"),
    "items.Item": _counter_of_created("items"),
    "reservations.Reservation": _counter_of_created("reservations"),
}


def _mail_sent(sender, message, status, esp_name, **kwargs) -> None:
    if status is not None and status.status and status.status & {"sent", "queued"}:
        count("mails_sent")


def _mail_tracked(sender, event, esp_name, **kwargs) -> None:
    if event.event_type == "bounced":
        count("mails_bounced")


def connect() -> None:
    """Connect the receivers (once; Django's dispatch_uid keeps it idempotent)."""
    from anymail.signals import post_send, tracking

    post_init.connect(_remember_verified, sender="accounts.User", dispatch_uid="metrics.user_init")
    post_save.connect(_user_saved, sender="accounts.User", dispatch_uid="metrics.user_saved")
    for model, receiver in _CREATED.items():
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"metrics.{model}")
    post_send.connect(_mail_sent, dispatch_uid="metrics.mail_sent")
    tracking.connect(_mail_tracked, dispatch_uid="metrics.mail_tracked")
