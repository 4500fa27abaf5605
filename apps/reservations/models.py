"""What guests give: a claim on a gift — a reservation of units or a pledge of
an amount toward a group gift — and a gift bought off the list that the
couple should know about.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.money import CURRENCIES, price_field


class ClaimQuerySet(models.QuerySet):
    def active(self) -> ClaimQuerySet:
        return self.filter(cancelled_at__isnull=True)


class Claim(models.Model):
    """What every guest's claim holds: who, their message, whether it stands, whether they were thanked.

    Each kind names its signing salt and its manage page: a reservation's
    token never opens a pledge, and the reverse.
    """

    TOKEN_SALT: ClassVar[str]
    MANAGE_URL: ClassVar[str]

    guest_name = models.CharField(max_length=120)
    guest_email = models.EmailField()
    message = models.TextField(_("message to the couple"), max_length=2000, blank=True)
    # Optional: where the couple may send a thank-you card (erased with the guest's other details).
    thank_you_address = models.TextField(_("postal address for a thank-you card"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    thanked = models.BooleanField(default=False)
    thanked_at = models.DateTimeField(_("thanked on"), null=True, blank=True)
    # The gift as the guest claimed it: its title and registry stay when the couple deletes it,
    # so the guest's link can say it was removed (``item`` is then null).
    item_title = models.CharField(max_length=200, blank=True)
    registry = models.ForeignKey(
        "registries.Registry", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # When the couple deleted or hid the gift (the guest was mailed once); null while it is listed.
    removed_at = models.DateTimeField(null=True, blank=True)
    # The language the guest used when they claimed: their mails speak it.
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    # The one-time key of the form that took the claim: the same form sent
    # twice (a double tap, a resubmission) finds this claim instead of taking another.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def save(self, *args, **kwargs) -> None:
        # A new claim keeps its gift's title and registry: they stay when the couple deletes the gift.
        if self._state.adding and self.item_id and (self.registry_id is None or not self.item_title):
            item = self.item
            self.registry_id, self.item_title = item.registry_id, self.item_title or item.title
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None

    # The guest's manage link: the signed id, the same every time it is made.
    # No timestamp inside: the link's life is tied to the event date (checked
    # by the views), and every mail about one claim carries the same link.
    @property
    def token(self) -> str:
        return signing.Signer(salt=self.TOKEN_SALT).sign_object(self.pk, compress=True)

    # The "this wasn't me" link of the guest's mails: the same id under a salt
    # of its own, so it never opens the manage page (nor the reverse).
    @property
    def not_me_token(self) -> str:
        return signing.Signer(salt=f"{self.TOKEN_SALT}.not-me").sign_object(self.pk, compress=True)

    @classmethod
    def pk_from_token(cls, token: str, not_me: bool = False) -> int:
        """The claim's id inside ``token`` (a ``not_me_token`` with ``not_me``); raises ``BadSignature``."""
        salt = f"{cls.TOKEN_SALT}.not-me" if not_me else cls.TOKEN_SALT
        value = signing.Signer(salt=salt).unsign_object(token)
        if not isinstance(value, int):
            raise signing.BadSignature("not a claim token")
        return value

    def get_manage_url(self) -> str:
        return reverse(self.MANAGE_URL, args=[self.token])

    def get_not_me_url(self) -> str:
        return reverse(f"{self.MANAGE_URL}_not_me", args=[self.not_me_token])


class Reservation(Claim):
    TOKEN_SALT = "reservations.manage"  # noqa: S105 (a signing salt, not a secret)
    MANAGE_URL = "reservations:manage"

    item = models.ForeignKey(
        "items.Item", on_delete=models.SET_NULL, null=True, blank=True, related_name="reservations"
    )
    quantity = models.PositiveIntegerField(default=1)
    bought_at = models.DateTimeField(null=True, blank=True)

    class Meta(Claim.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="reservations_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.guest_name} — {self.quantity} × {self.item_id}"

    @property
    def bought(self) -> bool:
        return self.bought_at is not None


# A contribution sent through PayPal carries an invoice with this prefix: the IPN
# dispatcher (apps.payments) tells it from an upgrade order's by it.
PAYPAL_INVOICE_PREFIX = "WSG-"


def new_pledge_invoice() -> str:
    """A fresh, unguessable invoice id for a contribution paid through PayPal.

    >>> inv = new_pledge_invoice()
    >>> inv.startswith("WSG-") and len(inv) == 36
    True
    """
    return PAYPAL_INVOICE_PREFIX + uuid.uuid4().hex


class Pledge(Claim):
    """A guest's contribution toward a group gift or a fund (no money passes through Whisper).

    With the couple's own instructions it is a promise (``PROMISED``) the
    couple marks ``RECEIVED``. Through PayPal it waits for PayPal
    (``AWAITING``, holding its share of the target) until a verified IPN for
    the couple's own PayPal address marks it ``PAID``; a refund or reversal
    makes it ``REFUNDED`` (and cancelled: its share goes back).
    """

    class Status(models.TextChoices):
        PROMISED = "promised", _("Promised")
        AWAITING = "awaiting", _("Waiting for PayPal")
        PAID = "paid", _("Paid by PayPal")
        RECEIVED = "received", _("Received")
        REFUNDED = "refunded", _("Refunded")

    TOKEN_SALT = "reservations.pledge"  # noqa: S105 (a signing salt, not a secret)
    MANAGE_URL = "reservations:pledge_manage"

    item = models.ForeignKey(
        "items.Item", on_delete=models.SET_NULL, null=True, blank=True, related_name="pledges"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROMISED)
    # Set when the guest pays through PayPal: the invoice PayPal's IPN names.
    invoice = models.CharField(max_length=127, unique=True, null=True, blank=True, editable=False)
    txn_id = models.CharField(_("PayPal transaction"), max_length=255, blank=True)
    settled_at = models.DateTimeField(_("paid or received"), null=True, blank=True)

    class Meta(Claim.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reservations_pledge_amount_positive"),
            # One PayPal payment pays one contribution, however the IPNs race.
            models.UniqueConstraint(
                fields=["txn_id"], condition=~Q(txn_id=""), name="reservations_pledge_txn_once"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["awaiting", "paid"]) | Q(invoice__isnull=False),
                name="reservations_pledge_paypal_has_invoice",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | ~Q(txn_id=""), name="reservations_pledge_paid_has_txn"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guest_name} — {self.amount} toward {self.item_id}"

    @property
    def via_paypal(self) -> bool:
        return self.invoice is not None

    @property
    def settled(self) -> bool:
        """Paid by PayPal or marked received: the money reached the couple."""
        return self.status in (self.Status.PAID, self.Status.RECEIVED)

    def state_label(self) -> str:
        """Its status as the couple and the guest read it (a cancelled promise says so)."""
        if self.cancelled_at is not None and self.status != self.Status.REFUNDED:
            return str(_("Cancelled"))
        return str(self.get_status_display())


class OffRegistryGift(models.Model):
    """A gift a guest gave that was not on the list, so the couple can thank them."""

    registry = models.ForeignKey(
        "registries.Registry", on_delete=models.CASCADE, related_name="off_registry_gifts"
    )
    guest_name = models.CharField(_("your name"), max_length=120)
    guest_email = models.EmailField(_("your email"), blank=True)
    description = models.TextField(_("what you gave"), max_length=1000)
    amount = price_field()
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    message = models.TextField(_("message to the couple"), max_length=2000, blank=True)
    thanked = models.BooleanField(default=False)
    thanked_at = models.DateTimeField(_("thanked on"), null=True, blank=True)
    # The gift on the list it stands for, when the couple says so (it then counts as received off the list).
    item = models.ForeignKey(
        "items.Item",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="given_elsewhere",
        verbose_name=_("the gift on your list it replaces"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("gift bought elsewhere")
        verbose_name_plural = _("gifts bought elsewhere")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="reservations_offregistry_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guest_name}: {self.description[:40]}"
