"""The notifications app: the mail outbox, bounces, unsubscribes and the couple's mail preferences."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # contributions registers the outbox and more; webhooks connects anymail's tracking signal.
        from . import contributions, webhooks  # noqa: F401
