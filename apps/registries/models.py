"""A couple's registry: who, when, where, and who may see what."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Addresses a registry may not take: they would shadow pages of our own.
RESERVED_SLUGS = frozenset(
    {"admin", "new", "search", "static", "media", "api", "accounts", "health", "paypal", "www"}
)

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Use lowercase letters, digits and single hyphens (e.g. alex-and-sam).",
)


class RegistryQuerySet(models.QuerySet):
    def public(self) -> RegistryQuerySet:
        """Registries that appear in search."""
        return self.filter(privacy=Registry.Privacy.PUBLIC)

    def owned_by(self, user) -> RegistryQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(owners=user)

    def with_owner_count(self, user) -> RegistryQuerySet:
        """``user``'s registries, each with ``owner_count``: how many owners it has in all."""
        # Counted over all owners: a filter on owners before the Count would count only ``user``.
        return self.filter(pk__in=self.filter(owners=user).values("pk")).annotate(owner_count=Count("owners"))

    def owned_alone_by(self, user) -> RegistryQuerySet:
        """The registries ``user`` owns with no partner: they go with the account."""
        return self.with_owner_count(user).filter(owner_count=1)

    def search(self, query: str) -> RegistryQuerySet:
        """Public registries whose couple names contain every word of ``query``."""
        qs = self.public()
        for word in query.split()[:5]:
            qs = qs.filter(models.Q(partner_one__icontains=word) | models.Q(partner_two__icontains=word))
        return qs


class Headers(models.TextChoices):
    """The designed headers of the public page (``static/css/whisper.css``: ``.hero--<value>``)."""

    BLUSH = "blush", _("Blush")
    SAGE = "sage", _("Sage")
    DUSK = "dusk", _("Dusk")
    CONFETTI = "confetti", _("Confetti")
    LINEN = "linen", _("Linen")


class Registry(models.Model):
    Headers = Headers

    class Privacy(models.TextChoices):
        PUBLIC = "public", "Public — listed in search"
        UNLISTED = "unlisted", "Unlisted — only people with the link"
        PROTECTED = "protected", "Protected — guests need a passphrase"

    class Spoilers(models.TextChoices):
        ALL = "all", "Show me everything"
        COUNTS = "counts", "Show me counts only"
        NONE = "none", "Show me nothing until after the event"

    slug = models.SlugField(max_length=60, unique=True, validators=[slug_validator])
    partner_one = models.CharField("your name", max_length=80)
    partner_two = models.CharField("your partner's name", max_length=80)
    event_date = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    welcome_message = models.TextField(max_length=4000, blank=True)
    cover_photo = models.ImageField(upload_to="covers/%Y/%m/", blank=True)
    # A designed header (CSS only), shown on the public page when there is no cover photo.
    header = models.CharField(_("header"), max_length=12, choices=Headers.choices, default="", blank=True)
    # Whether the couple opened the share card or copied the link (the checklist's last step).
    shared_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The couple put the new-registry checklist away.
    checklist_dismissed = models.BooleanField(default=False, editable=False)
    privacy = models.CharField(max_length=10, choices=Privacy.choices, default=Privacy.UNLISTED)
    passphrase_hash = models.CharField(max_length=128, blank=True)
    spoilers = models.CharField(max_length=10, choices=Spoilers.choices, default=Spoilers.ALL)
    # How the couple wants contributions to group gifts (a PayPal.me link, bank
    # details…); shown, escaped, to guests who pledge. Whisper never takes money.
    pledge_instructions = models.TextField(
        "how guests send contributions",
        max_length=2000,
        blank=True,
        help_text="Shown to guests who contribute to a group gift, e.g. your PayPal.me link.",
    )
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="registries")
    # Goes up whenever an owner is added or removed: invitation links carry
    # it, so a link sent before the change (say, to a removed partner) dies.
    owners_version = models.PositiveIntegerField(default=1, editable=False)
    # Goes up on every change guests can see; keys the cached fragments.
    cache_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "registries"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("registries:public", args=[self.slug])

    @property
    def title(self) -> str:
        return f"{self.partner_one} & {self.partner_two}"

    # Passphrase ----------------------------------------------------------
    # Guests type what they heard or read: "Lisbon", "lisbon " and "LISBON" are the same passphrase.
    @staticmethod
    def normalize_passphrase(raw: str) -> str:
        return raw.strip().casefold()

    def set_passphrase(self, raw: str) -> None:
        self.passphrase_hash = make_password(self.normalize_passphrase(raw)) if raw else ""

    def check_passphrase(self, raw: str) -> bool:
        if not self.passphrase_hash:
            return False
        normalized = self.normalize_passphrase(raw)
        # Passphrases set before normalizing were hashed as typed: the exact text still opens them.
        return check_password(normalized, self.passphrase_hash) or (
            raw != normalized and check_password(raw, self.passphrase_hash)
        )

    @property
    def is_protected(self) -> bool:
        return self.privacy == self.Privacy.PROTECTED

    # Spoilers ------------------------------------------------------------
    def reveal_date(self) -> datetime.date:
        """The day everything is revealed: the day after the event."""
        return self.event_date + datetime.timedelta(days=1)

    def owner_view(self, today: datetime.date | None = None) -> str:
        """What the couple may see of reservations today: all, counts or none.

        "Nothing until after the event" turns into "all" on the day after.
        """
        today = today or timezone.localdate()
        if today >= self.reveal_date():
            return self.Spoilers.ALL
        return self.spoilers

    def token_valid_until(self) -> datetime.date:
        """The last day a guest's manage link works."""
        return self.event_date + datetime.timedelta(days=settings.WHISPER_TOKEN_DAYS_AFTER_EVENT)

    def bump_version(self) -> None:
        """Invalidate the cached public page (one UPDATE, no read-modify-write)."""
        Registry.objects.filter(pk=self.pk).update(cache_version=F("cache_version") + 1)


class OwnerVisit(models.Model):
    """When an owner last opened a registry's dashboard: what is new is what came after."""

    registry = models.ForeignKey(Registry, on_delete=models.CASCADE, related_name="owner_visits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registry", "user"], name="one_visit_per_owner")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.registry_id} at {self.seen_at:%Y-%m-%d %H:%M}"
