"""A guest's reservation of a gift."""

from __future__ import annotations

from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse

TOKEN_SALT = "reservations.manage"  # noqa: S105 (a signing salt, not a secret)


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
        return signing.dumps(self.pk, salt=TOKEN_SALT, compress=True)

    @staticmethod
    def pk_from_token(token: str) -> int:
        """The reservation id inside ``token``; raises ``signing.BadSignature``."""
        value = signing.loads(token, salt=TOKEN_SALT)
        if not isinstance(value, int):
            raise signing.BadSignature("not a reservation token")
        return value

    def get_manage_url(self) -> str:
        return reverse("reservations:manage", args=[self.token])
