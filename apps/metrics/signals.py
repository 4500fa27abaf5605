"""What the site counts by itself, and the receiver the apps above use to count their rows.

Mails sent and bounced come from django-anymail's signals, connected in
``MetricsConfig.ready()``. Sign-ups, verified accounts, registries, items and
reservations are counted by their own apps (their ``contributions`` modules,
with :func:`count_created`): metrics stands below them and imports none.
``count()`` waits for the transaction to commit, so rolled-back work is not
counted. Upgrades, revenue, pledges and the importer call ``count()`` themselves.
"""

from __future__ import annotations

from .api import count


def count_created(name: str):
    """A ``post_save`` receiver that counts ``name`` for each row created (not for loaddata)."""

    def receiver(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
        if created and not raw:
            count(name)

    receiver.__name__ = f"count_{name}"
    return receiver


def _mail_sent(sender, message, status, esp_name, **kwargs) -> None:
    if status is not None and status.status and status.status & {"sent", "queued"}:
        count("mails_sent")


def _mail_tracked(sender, event, esp_name, **kwargs) -> None:
    if event.event_type == "bounced":
        count("mails_bounced")


def connect() -> None:
    """Connect the receivers (once; Django's dispatch_uid keeps it idempotent)."""
    from anymail.signals import post_send, tracking

    post_send.connect(_mail_sent, dispatch_uid="metrics.mail_sent")
    tracking.connect(_mail_tracked, dispatch_uid="metrics.mail_tracked")
