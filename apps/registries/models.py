"""A couple's registry: who, when, where, and who may see what."""

from __future__ import annotations

import datetime
import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.money import CURRENCIES

# Addresses a registry may not take: they would shadow pages of our own.
RESERVED_SLUGS = frozenset(
    {"admin", "new", "search", "static", "media", "api", "accounts", "health", "paypal", "www"}
)

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lowercase letters, digits and single hyphens (e.g. alex-and-sam)."),
)


@cache
def time_zone_names() -> frozenset[str]:
    """Every IANA time zone name this machine knows."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(name: str) -> None:
    if name not in time_zone_names():
        raise ValidationError(
            _("“%(zone)s” is not a time zone we know — please choose one from the list."),
            code="unknown_time_zone",
            params={"zone": name},
        )


def default_time_zone() -> str:
    return settings.TIME_ZONE


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
        PUBLIC = "public", _("Public — listed in search")
        UNLISTED = "unlisted", _("Unlisted — only people with the link")
        PROTECTED = "protected", _("Protected — guests need a passphrase")

    class Spoilers(models.TextChoices):
        ALL = "all", _("Show me everything")
        COUNTS = "counts", _("Show me counts only")
        NONE = "none", _("Show me nothing until after the event")

    class Shipping(models.TextChoices):
        UNSAID = "", _("Don't say anything")
        ADDRESS = "address", _("Send gifts to our address")
        PARTY = "party", _("Bring gifts to the party")
        LATER = "later", _("We'll tell guests where to send gifts")

    class ContributionsVia(models.TextChoices):
        INSTRUCTIONS = "own", _("My own instructions (bank transfer, PayPal.me, cash at the party)")
        PAYPAL = "paypal", _("PayPal, straight to our PayPal account")

    slug = models.SlugField(max_length=60, unique=True, validators=[slug_validator])
    partner_one = models.CharField(_("your name"), max_length=80)
    partner_two = models.CharField(_("your partner's name"), max_length=80)
    event_date = models.DateField()
    # Every day people feel — the reveal, the last day of guests' links,
    # reminders and digests, "the event has passed" — is a day in this zone.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("Where you celebrate: the reveal, reminders and dates follow its clock."),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        choices=CURRENCIES,
        default="USD",
        help_text=_("The currency new gifts start in; each gift may still have its own."),
    )
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
    # The language of the page for guests whose browser asks for none of ours,
    # and of Whisper's words around the couple's own (apps.registries.access).
    language = models.CharField(
        _("Language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("For guests whose browser doesn’t ask for one of these languages."),
    )
    pledge_instructions = models.TextField(
        _("how guests send contributions"),
        max_length=2000,
        blank=True,
        help_text=_("Shown to guests who contribute to a group gift, e.g. your PayPal.me link."),
    )
    # Where guests send gifts. Shown only to the owners and to guests with a
    # claim on this registry (their manage page and mails), never on a page
    # or preview anyone else can open (``shipping_note`` is what they read).
    shipping = models.CharField(
        _("where gifts go"),
        max_length=10,
        choices=Shipping.choices,
        default=Shipping.UNSAID,
        blank=True,
    )
    shipping_address = models.TextField(
        _("delivery address"),
        max_length=500,
        blank=True,
        help_text=_(
            "Only guests who reserve or contribute see it (on their private page and in their mail), "
            "never the public page."
        ),
    )
    # Contributions to funds and group gifts go straight to the couple: through
    # PayPal to their own address (a verified IPN marks each paid), or by their
    # own instructions above. Never through Whisper's account.
    contributions_via = models.CharField(
        _("how guests send contributions"),
        max_length=10,
        choices=ContributionsVia.choices,
        default=ContributionsVia.INSTRUCTIONS,
    )
    paypal_email = models.EmailField(
        _("your PayPal address"),
        blank=True,
        help_text=_("Guests pay you on PayPal, straight to this account; Whisper never holds the money."),
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

    @property
    def shipping_note(self) -> str:
        """Where gifts go, in words for a guest with a claim ("" when the couple said nothing)."""
        if self.shipping == self.Shipping.ADDRESS and self.shipping_address.strip():
            return self.shipping_address.strip()
        return {
            self.Shipping.PARTY: _("Please bring your gift to the party."),
            self.Shipping.LATER: _("The couple will tell you where to send your gift."),
        }.get(self.shipping, "")

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

    # The couple's clock ------------------------------------------------------
    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The registry's time zone (the site's, should the stored name be unknown here)."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def local_now(self, now: datetime.datetime | None = None) -> datetime.datetime:
        """``now`` (the present by default) on the couple's clock."""
        return timezone.localtime(now or timezone.now(), self.zone)

    def local_today(self, now: datetime.datetime | None = None) -> datetime.date:
        """The couple's today (their day, not UTC's)."""
        return self.local_now(now).date()

    def local_time(self):
        """A context manager: dates and times rendered inside it are on the couple's clock."""
        return timezone.override(self.zone)

    def event_passed(self, now: datetime.datetime | None = None) -> bool:
        """Whether the event day is over where the couple celebrates."""
        return self.local_today(now) > self.event_date

    # Spoilers ------------------------------------------------------------
    def reveal_date(self) -> datetime.date:
        """The day everything is revealed: the day after the event (from local midnight)."""
        return self.event_date + datetime.timedelta(days=1)

    def owner_view(self, today: datetime.date | None = None) -> str:
        """What the couple may see of reservations today: all, counts or none.

        "Nothing until after the event" turns into "all" on the day after,
        at midnight in the registry's time zone.
        """
        today = today or self.local_today()
        if today >= self.reveal_date():
            return self.Spoilers.ALL
        return self.spoilers

    def token_valid_until(self) -> datetime.date:
        """The last day (in the registry's time zone, to its end) a guest's manage link works."""
        return self.event_date + datetime.timedelta(days=settings.WHISPER_TOKEN_DAYS_AFTER_EVENT)

    def links_expired(self, now: datetime.datetime | None = None) -> bool:
        """Whether guests' manage links no longer work: the couple's last day has ended."""
        return self.local_today(now) > self.token_valid_until()

    def phase(self, now: datetime.datetime | None = None) -> str:
        """Where the registry stands on the couple's calendar: "before", "after" the event, or "closed"."""
        today = self.local_today(now)  # (once: the zone's arithmetic costs, on every public page)
        if today > self.token_valid_until():
            return "closed"
        return "after" if today > self.event_date else "before"

    def bump_version(self) -> None:
        """Invalidate the cached public page (one UPDATE, no read-modify-write)."""
        Registry.objects.filter(pk=self.pk).update(cache_version=F("cache_version") + 1)

    @property
    def takes_paypal(self) -> bool:
        """Whether guests' contributions go through PayPal to the couple's own address."""
        return self.contributions_via == self.ContributionsVia.PAYPAL and bool(self.paypal_email)


class OwnerVisit(models.Model):
    """When an owner last opened a registry's dashboard: what is new is what came after."""

    registry = models.ForeignKey(Registry, on_delete=models.CASCADE, related_name="owner_visits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registry", "user"], name="one_visit_per_owner")]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.registry_id} at {self.seen_at:%Y-%m-%d %H:%M}"
