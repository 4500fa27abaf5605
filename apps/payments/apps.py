"""App configs: our payments app, and the AppConfig django-paypal's IPN app lacks."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    default = True  # "apps.payments" in INSTALLED_APPS means this one, not the IPN config below
    name = "apps.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        # handlers connects the IPN signal receivers; contributions provides the plan limits.
        from . import contributions, handlers  # noqa: F401


class PayPalIPNConfig(AppConfig):
    """django-paypal 2.1's IPN app, which ships no AppConfig.

    The label and the auto field match its own migrations, so
    ``makemigrations --check`` stays clean under our BigAutoField default.
    """

    name = "paypal.standard.ipn"
    label = "ipn"
    verbose_name = _("PayPal IPN")
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        from apps.payments import postback

        postback.install()
