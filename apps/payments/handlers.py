"""Receivers of django-paypal's IPN signals: every stored IPN goes to ``services.handle_ipn``,
or, when it is about a guest's contribution paid to a couple, to ``pledges.handle_ipn``.

Both signals are handled: a flagged IPN is recorded as rejected with
django-paypal's reason, and a verified repeat (which django-paypal flags as a
duplicate) gets the same idempotent treatment as any other IPN.
"""

from __future__ import annotations

from django.dispatch import receiver
from paypal.standard.ipn.signals import invalid_ipn_received, valid_ipn_received

from . import pledges, services


@receiver(valid_ipn_received, dispatch_uid="payments.valid_ipn")
@receiver(invalid_ipn_received, dispatch_uid="payments.invalid_ipn")
def on_ipn(sender, **kwargs) -> None:
    if pledges.concerns(sender):
        pledges.handle_ipn(sender)
    else:
        services.handle_ipn(sender)
