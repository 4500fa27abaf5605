"""Plans a registry can be on, the orders that buy them, and what we decided about each IPN."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.money import CURRENCIES

FREE_SLUG = "free"

# The switches a plan can unlock; ``limits.allows(registry, feature)`` reads them.
FEATURES = ("passphrase", "cover_photo", "csv_export", "group_gifts")


class PlanQuerySet(models.QuerySet):
    def purchasable(self) -> PlanQuerySet:
        """Paid plans a couple can buy today, cheapest first."""
        return self.filter(active=True, price__gt=0).order_by("price", "id")


class Plan(models.Model):
    slug = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=60)
    price = models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    max_items = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty means unlimited."))
    allows_passphrase = models.BooleanField(_("passphrase protection"), default=False)
    allows_cover_photo = models.BooleanField(_("cover photo upload"), default=False)
    allows_csv_export = models.BooleanField(_("CSV export"), default=False)
    allows_group_gifts = models.BooleanField(_("group gifts"), default=False)
    whisper_branding = models.BooleanField(_("Whisper branding in mails"), default=True)
    active = models.BooleanField(default=True, help_text=_("Inactive plans cannot be bought any more."))
    description = models.CharField(max_length=200, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["price", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_free(self) -> bool:
        return self.price == 0

    @property
    def is_unlimited(self) -> bool:
        return self.max_items is None

    def allows(self, feature: str) -> bool:
        """Whether this plan unlocks ``feature`` (one of ``FEATURES``).

        >>> Plan(allows_passphrase=True).allows("passphrase")
        True
        >>> Plan().allows("csv_export")
        False
        """
        if feature not in FEATURES:
            raise ValueError(f"unknown feature {feature!r}; expected one of {FEATURES}")
        return getattr(self, f"allows_{feature}")


# Crockford's base 32: digits and capitals without I, L, O and U, which are read as 1, 0 or V.
INVOICE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_invoice() -> str:
    """A fresh order number, short enough to read out and hard to guess: "WSP-7K3M-Q9TD".

    Eight random characters of :data:`INVOICE_ALPHABET` (40 bits, from the
    ``secrets`` module); PayPal carries it as the invoice id. Orders made
    before keep their longer "WSP-" and 32 hex digits.

    >>> inv = new_invoice()
    >>> len(inv), inv[:4], inv[8]
    (13, 'WSP-', '-')
    >>> set(inv[4:8] + inv[9:]) <= set(INVOICE_ALPHABET)
    True
    """
    code = "".join(secrets.choice(INVOICE_ALPHABET) for _ in range(8))
    return f"WSP-{code[:4]}-{code[4:]}"


class OrderQuerySet(models.QuerySet):
    def paid(self) -> OrderQuerySet:
        return self.filter(status=Order.Status.PAID)


class Order(models.Model):
    """One attempt to buy a plan for a registry; PayPal's IPN moves it on."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for PayPal")
        PAID = "paid", _("Paid")
        REFUNDED = "refunded", _("Refunded")
        REVERSED = "reversed", _("Reversed by PayPal")

    registry = models.ForeignKey("registries.Registry", on_delete=models.CASCADE, related_name="orders")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="orders")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invoice = models.CharField(max_length=127, unique=True, default=new_invoice, editable=False)
    # Price and currency at the time of ordering: a later price change in the
    # admin does not change what this order must be paid with.
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCIES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # As long as django-paypal's PayPalIPN.txn_id: any id it stores fits here.
    txn_id = models.CharField(_("PayPal transaction"), max_length=255, blank=True)
    payer_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One PayPal payment pays one order, however the IPNs race.
            models.UniqueConstraint(
                fields=["txn_id"], condition=~Q(txn_id=""), name="payments_order_txn_once"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_order_amount_positive"),
        ]
        indexes = [models.Index(fields=["registry", "status"])]

    def __str__(self) -> str:
        return f"{self.invoice} ({self.get_status_display()})"


class IpnDecision(models.Model):
    """What we did with one stored IPN, and why: the audit trail staff read."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected")

    ipn = models.ForeignKey("ipn.PayPalIPN", on_delete=models.CASCADE, related_name="whisper_decisions")
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    # Or the guest's contribution it paid (a couple's own PayPal address, not ours).
    pledge = models.ForeignKey(
        "reservations.Pledge", on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    action = models.CharField(max_length=20, blank=True, help_text=_("payment, refund, reversal, …"))
    # Copied from the IPN so "each transaction is applied once per kind of
    # event" is a database rule, not only a check in Python.
    txn_id = models.CharField(max_length=255, blank=True)  # as long as PayPalIPN.txn_id
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "txn_id"],
                condition=Q(outcome="applied") & ~Q(txn_id=""),
                name="payments_decision_txn_applied_once",
            ),
        ]

    def __str__(self) -> str:
        return f"IPN {self.ipn_id}: {self.outcome} — {self.reason}"
