"""What guests give: a reservation of a gift, a pledge toward a group gift,
and a gift bought off the list that the couple should know about.
"""

from __future__ import annotations

from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse

from apps.items.models import CURRENCIES, price_field

TOKEN_SALT = "reservations.manage"  # noqa: S105 (a signing salt, not a secret)
PLEDGE_TOKEN_SALT = "reservations.pledge"  # noqa: S105 (a signing salt, not a secret)


def _sign(pk: int, salt: str) -> str:
    """A guest's manage token: the signed id, the same every time it is made.

    No timestamp inside: the link's life is tied to the event date (checked by
    the views), and every mail about one reservation carries the same link.
    """
    return signing.Signer(salt=salt).sign_object(pk, compress=True)


class ReservationQuerySet(models.QuerySet):
    def active(self) -> ReservationQuerySet:
        return self.filter(cancelled_at__isnull=True)


class Reservation(models.Model):
    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="reservations")
    guest_name = models.CharField(max_length=120)
    guest_email = models.EmailField()
    message = models.TextField("message to the couple", max_length=2000, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    bought_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    thanked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="reservations_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.guest_name} — {self.quantity} × {self.item_id}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None

    @property
    def bought(self) -> bool:
        return self.bought_at is not None

    # The guest's manage link: a signed id, no token table ---------------
    @property
    def token(self) -> str:
        return _sign(self.pk, TOKEN_SALT)

    @staticmethod
    def pk_from_token(token: str) -> int:
        """The reservation id inside ``token``; raises ``signing.BadSignature``."""
        value = signing.Signer(salt=TOKEN_SALT).unsign_object(token)
        if not isinstance(value, int):
            raise signing.BadSignature("not a reservation token")
        return value

    def get_manage_url(self) -> str:
        return reverse("reservations:manage", args=[self.token])


class PledgeQuerySet(models.QuerySet):
    def active(self) -> PledgeQuerySet:
        return self.filter(cancelled_at__isnull=True)


class Pledge(models.Model):
    """A guest's promise of an amount toward a group gift (no money passes through Whisper)."""

    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="pledges")
    guest_name = models.CharField(max_length=120)
    guest_email = models.EmailField()
    message = models.TextField("message to the couple", max_length=2000, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    thanked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reservations_pledge_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.guest_name} — {self.amount} toward {self.item_id}"

    @property
    def is_active(self) -> bool:
        return self.cancelled_at is None

    # The guest's manage link: a signed id (its own salt: a reservation's
    # token never opens a pledge), no token table -------------------------
    @property
    def token(self) -> str:
        return _sign(self.pk, PLEDGE_TOKEN_SALT)

    @staticmethod
    def pk_from_token(token: str) -> int:
        """The pledge id inside ``token``; raises ``signing.BadSignature``."""
        value = signing.Signer(salt=PLEDGE_TOKEN_SALT).unsign_object(token)
        if not isinstance(value, int):
            raise signing.BadSignature("not a pledge token")
        return value

    def get_manage_url(self) -> str:
        return reverse("reservations:pledge_manage", args=[self.token])


class OffRegistryGift(models.Model):
    """A gift a guest gave that was not on the list, so the couple can thank them."""

    registry = models.ForeignKey(
        "registries.Registry", on_delete=models.CASCADE, related_name="off_registry_gifts"
    )
    guest_name = models.CharField("your name", max_length=120)
    guest_email = models.EmailField("your email", blank=True)
    description = models.TextField("what you gave", max_length=1000)
    amount = price_field()
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    message = models.TextField("message to the couple", max_length=2000, blank=True)
    thanked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "gift bought elsewhere"
        verbose_name_plural = "gifts bought elsewhere"
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="reservations_offregistry_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guest_name}: {self.description[:40]}"
