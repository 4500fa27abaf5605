"""The demo registry: Alex & Sam, their gifts, and a few guests' reservations.

``seed()`` is what ``manage.py seed_demo`` runs. It is idempotent: it only
adds what is missing (users, the registry, items by title, reservations by
item and guest email), so running it again changes nothing. Pictures are
drawn with Pillow at seed time and saved through the image fields, so they
live in MEDIA_ROOT like any upload and no binary file sits in the repository.
"""

from __future__ import annotations

import datetime
import io
import itertools
import random
import zlib
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import cache, lru_cache

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageColor, ImageDraw, ImageFont

from apps.accounts.models import User
from apps.core.thumbnails import make_thumbnails_of, remember_thumbnails
from apps.items.models import Item
from apps.payments.models import Order, Plan
from apps.registries.models import Registry
from apps.reservations.models import Pledge, Reservation

DEMO_SLUG = "alex-and-sam"
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "whisper-demo"  # noqa: S105 (a published demo login)
STAFF_EMAIL = "admin@example.com"
STAFF_PASSWORD = "whisper-admin"  # noqa: S105 (a published demo login)
EVENT_IN_DAYS = 91
IMAGE_SIZE = (800, 600)
COVER_SIZE = (1600, 600)
_SPARKLE = ((0, -1), (0.3, -0.3), (1, 0), (0.3, 0.3), (0, 1), (-0.3, 0.3), (-1, 0), (-0.3, -0.3))

MOST, LOVE, NICE = Item.Priority.MOST_WANTED, Item.Priority.WOULD_LOVE, Item.Priority.NICE_TO_HAVE

# Soft backgrounds (two corners each) and an ink colour per category.
PALETTES = {
    "Kitchen": ("#fde3cf", "#f6c7a8", "#8a3b12"),
    "Home": ("#efe3f1", "#d9c2dd", "#5e2d47"),
    "Garden": ("#e1efe3", "#bfdcc6", "#2f6b4f"),
    "Travel": ("#dfeaf6", "#bcd3ea", "#1f4e79"),
    "Experiences": ("#fbefd0", "#f2d59a", "#7a4f00"),
}


@dataclass(frozen=True)
class Gift:
    title: str
    category: str
    price: str | None
    description: str = ""
    currency: str = "USD"
    quantity: int = 1
    unlimited: bool = False
    priority: int = LOVE
    note: str = ""
    hidden: bool = False

    @property
    def store_url(self) -> str:
        return f"https://www.example.com/{slugify(self.category)}/{slugify(self.title)}"


# The curated gifts and guests are tables; keep them one record per row or two.
# fmt: off
GIFTS = [
    Gift("Whale-watching trip off São Miguel", "Travel", "50.00", unlimited=True, priority=MOST,
         description="A morning at sea on our honeymoon, with a marine biologist on board.",
         note="Reserve as many $50 seats as you like — every one gets us a little further out."),
    Gift("Stand mixer", "Kitchen", "379.00", priority=MOST, note="Any colour but red, please!",
         description="The big tilt-head one, for birthday cakes and Sunday bread."),
    Gift("Espresso machine", "Kitchen", "499.00", priority=MOST,
         description="A proper machine with a steam wand, so Sam can stop queueing for flat whites."),
    Gift("Cast-iron casserole, 5.5 qt", "Kitchen", "265.00",
         description="Enamelled cast iron in deep blue; it will outlive us both."),
    Gift("Set of six linen napkins", "Kitchen", "48.00", quantity=2,
         description="Stonewashed linen in oatmeal. Two sets would be perfect for dinner parties."),
    Gift("Chef's knife, 8 inch", "Kitchen", "140.00", note="Tradition says to tape a coin to it!",
         description="Japanese steel with a wooden handle."),
    Gift("Handmade stoneware dinner plates (set of 4)", "Kitchen", "120.00", quantity=3,
         description="From a small pottery by the coast; each one a little different."),
    Gift("Pasta maker", "Kitchen", "95.00", currency="EUR", priority=NICE,
         description="The classic hand-cranked one from Italy."),
    Gift("Wool throw blanket", "Home", "130.00",
         description="Heavy, soft and warm, for the sofa on winter evenings."),
    Gift("Pair of bedside lamps", "Home", "160.00",
         description="Brass with linen shades; warm light for reading."),
    Gift("Framed print of our city", "Home", "85.00", priority=NICE,
         description="An illustrated map of the neighbourhood where we met."),
    Gift("Percale bed linen set, king size", "Home", "210.00",
         description="Crisp white cotton percale: duvet cover and two pillowcases."),
    Gift("Board game night bundle", "Home", "60.00", priority=NICE,
         description="A few of our favourite games for long evenings with friends."),
    Gift("Monstera in a terracotta pot", "Home", "65.00", priority=NICE,
         description="A big leafy friend for the corner by the window."),
    Gift("Hammock with stand", "Garden", "230.00",
         description="Woven cotton, with a stand so it works on our little balcony."),
    Gift("Herb garden starter kit", "Garden", "40.00", priority=NICE,
         description="Basil, thyme, rosemary and mint, with pots and good soil."),
    Gift("Outdoor string lights", "Garden", "55.00", quantity=2,
         description="Warm white festoon lights for summer evenings outside."),
    Gift("Teak garden bench", "Garden", "420.00", hidden=True,
         description="On hold while we measure the balcony."),
    Gift("Carry-on suitcase", "Travel", "275.00",
         description="Light, sturdy and small enough for the overhead bin."),
    Gift("Night train from Vienna to Venice", "Travel", "180.00", currency="EUR", quantity=2,
         description="One ticket each in a sleeper cabin, for our first anniversary trip.",
         note="We'll book the date ourselves — a voucher is perfect."),
    Gift("Travel journal and fountain pen", "Travel", "28.00", priority=NICE,
         description="For writing everything down before we forget it."),
    Gift("Cooking class for two", "Experiences", "150.00", priority=MOST,
         description="A hands-on evening of fresh pasta and tiramisù."),
    Gift("Hot-air balloon ride at sunrise", "Experiences", "320.00",
         description="Something we have always wanted to do and never dared to book."),
    Gift("Concert tickets", "Experiences", "90.00", quantity=2,
         description="For whoever is touring next autumn — we'll pick together.",
         note="A gift card from the ticket office works best."),
    Gift("Weekend in a forest cabin", "Experiences", "380.00",
         description="Two nights, a wood stove and no phone signal."),
]
# fmt: on


@dataclass(frozen=True)
class Guest:
    item: str
    name: str
    email: str
    message: str = ""
    quantity: int = 1
    bought_days_ago: int | None = None
    cancelled: bool = False


# fmt: off
GUESTS = [
    Guest("Stand mixer", "Grandma Rose", "rose@example.com",
          "For all the birthday cakes to come. Love you both — Grandma.", bought_days_ago=9),
    Guest("Whale-watching trip off São Miguel", "Jordan Lee", "jordan@example.com",
          "Send us a postcard from the hot springs!", quantity=3),
    Guest("Whale-watching trip off São Miguel", "Sofia Alvarez", "sofia@example.com",
          "Have the best time. Eat all the pastries.", quantity=2, bought_days_ago=3),
    Guest("Pasta maker", "Marco Rossi", "marco@example.com",
          "Un abbraccio! I'll come over to test the first batch.", bought_days_ago=12),
    Guest("Handmade stoneware dinner plates (set of 4)", "The Nguyen family", "nguyen@example.com",
          "So happy for you two.", quantity=2, bought_days_ago=5),
    Guest("Set of six linen napkins", "Priya Patel", "priya@example.com"),
    Guest("Cooking class for two", "Jordan Lee", "jordan@example.com", "Now you have no excuse."),
    Guest("Outdoor string lights", "Sam's book club", "bookclub@example.com",
          "For many evenings of reading outside.", quantity=2),
    Guest("Hammock with stand", "Priya Patel", "priya@example.com", cancelled=True),
]

# Generated gifts for --items N (the benchmark seeds 200).
_ADJECTIVES = ["Linen", "Ceramic", "Oak", "Copper", "Glass", "Wool", "Marble", "Rattan",
               "Cotton", "Walnut", "Stoneware", "Brass", "Bamboo", "Leather", "Enamel", "Porcelain"]
_THINGS = [("tea towels", "Kitchen"), ("serving bowl", "Kitchen"), ("cutting board", "Kitchen"),
           ("carafe", "Kitchen"), ("cushion covers", "Home"), ("picture frame", "Home"),
           ("candle holders", "Home"), ("bath towels", "Home"), ("plant pot", "Garden"),
           ("watering can", "Garden"), ("bird feeder", "Garden"), ("picnic basket", "Garden"),
           ("luggage tags", "Travel"), ("passport cover", "Travel"), ("weekend bag", "Travel"),
           ("tasting menu voucher", "Experiences")]
# fmt: on


def extra_gift(n: int) -> Gift:
    """The ``n``-th generated gift (0-based); deterministic, so reruns agree.

    >>> extra_gift(0).title
    'Linen tea towels'
    >>> extra_gift(17).category
    'Kitchen'
    """
    thing, category = _THINGS[n % len(_THINGS)]
    adjective = _ADJECTIVES[(n // len(_THINGS) + n) % len(_ADJECTIVES)]
    title = f"{adjective} {thing}"
    if n >= len(_THINGS) * len(_ADJECTIVES):
        title += f" no. {n + 1}"
    price = Decimal(15 + (n * 37) % 240).quantize(Decimal("1.00"))
    return Gift(
        title,
        category,
        str(price),
        quantity=1 + n % 3,
        priority=(LOVE, NICE, LOVE)[n % 3],
        description=f"A {adjective.lower()} {thing.rstrip('s')} we picked out together.",
    )


# Pictures -----------------------------------------------------------------


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSerif-Bold.ttf", "LiberationSerif-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _gradient(size: tuple[int, int], top_left: str, bottom_right: str) -> Image.Image:
    """A soft diagonal gradient: a 2×2 image scaled up smoothly."""
    start, end = ImageColor.getrgb(top_left), ImageColor.getrgb(bottom_right)
    mid = tuple((a + b) // 2 for a, b in zip(start, end, strict=True))
    corners = Image.frombytes("RGB", (2, 2), bytes([*start, *mid, *mid, *end]))
    return corners.resize(size, Image.Resampling.BICUBIC)


def _jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=84, optimize=True, progressive=True)
    return buf.getvalue()


@lru_cache(maxsize=512)  # pure and deterministic: drawing it once per process is enough
def item_picture(title: str, category: str) -> bytes:
    """An 800×600 product-style illustration: gradient, soft shapes, the initial."""
    light, deep, ink = PALETTES.get(category, PALETTES["Home"])
    rnd = random.Random(zlib.crc32(title.encode()))  # noqa: S311 (decoration, not security)
    width, height = IMAGE_SIZE
    image = _gradient(IMAGE_SIZE, light, deep).convert("RGBA")
    overlay = Image.new("RGBA", IMAGE_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(3):
        r = rnd.randint(70, 190)
        x, y = rnd.randint(-40, width + 40), rnd.randint(-40, height + 40)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, rnd.randint(45, 90)))
    # A little "shelf" for the object to stand on, and the object itself.
    draw.rounded_rectangle((150, 470, 650, 490), radius=10, fill=(255, 255, 255, 120))
    draw.ellipse((260, 150, 540, 430), fill=(255, 255, 255, 215))
    image = Image.alpha_composite(image, overlay)
    draw = ImageDraw.Draw(image)
    initial = (title.strip()[:1] or "?").upper()
    draw.text((400, 292), initial, font=_font(170), fill=ink, anchor="mm")
    for _ in range(3):  # four-pointed sparkles
        x, y, s = rnd.randint(60, width - 60), rnd.randint(40, 120), rnd.randint(12, 22)
        draw.polygon([(x + dx * s, y + dy * s) for dx, dy in _SPARKLE], fill=ink)
    return _jpeg(image)


@cache
def cover_picture() -> bytes:
    """The registry's 1600×600 cover: a blush gradient with two rings."""
    image = _gradient(COVER_SIZE, "#f3e1ea", "#fbe2cf").convert("RGBA")
    overlay = Image.new("RGBA", COVER_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for x, y, r, a in [(180, 120, 160, 70), (1450, 500, 220, 60), (1280, 90, 90, 80), (420, 560, 120, 50)]:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, a))
    image = Image.alpha_composite(image, overlay)
    draw = ImageDraw.Draw(image)
    draw.ellipse((650, 180, 890, 420), outline="#b98a3e", width=18)
    draw.ellipse((760, 180, 1000, 420), outline="#7a3e5d", width=18)
    return _jpeg(image)


# Seeding ------------------------------------------------------------------


@dataclass
class Result:
    registry: Registry
    items: int
    reservations: int
    created: list[str]


def ensure_user(email: str, password: str, *, staff: bool = False, name: str = "") -> tuple[User, bool]:
    """The user ``email`` with ``password``, verified and active; created if missing."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        if staff:
            user = User.objects.create_superuser(email, password, name=name)
        else:
            user = User.objects.create_user(email, password, name=name, email_verified=True)
        return user, True
    wanted = {"email_verified": True, "is_active": True}
    if staff:
        wanted |= {"is_staff": True, "is_superuser": True}
    changed = [field for field, value in wanted.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, wanted[field])
    if not user.check_password(password):
        user.set_password(password)
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
    return user, False


def _ensure_registry(owner: User, today: datetime.date, created: list[str]) -> Registry:
    registry, made = Registry.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={
            "partner_one": "Alex",
            "partner_two": "Sam",
            "event_date": today + datetime.timedelta(days=EVENT_IN_DAYS),
            "location": "The Old Boathouse, Lake Hallstatt, Austria",
            "time_zone": "Europe/Vienna",
            "welcome_message": (
                "We're getting married! Having you with us is the best present there is — "
                "but if you'd like to give us something, here are a few things that would make "
                "our new home (and our honeymoon) wonderful.\n\n"
                "Reserve a gift here so nobody doubles up, then buy it wherever you like.\n"
                "With love, Alex & Sam"
            ),
            "privacy": Registry.Privacy.PUBLIC,
            "spoilers": Registry.Spoilers.ALL,
            # Shown only to guests with a claim (their page and mail) and to the couple.
            "shipping": Registry.Shipping.ADDRESS,
            "shipping_address": "Alex & Sam\nSeestraße 12\n4830 Hallstatt\nAustria",
        },
    )
    if made:
        created.append("registry")
        # The demo is a registry its couple has finished and shared: no "get ready" checklist.
        Registry.objects.filter(pk=registry.pk).update(shared_at=timezone.now())
    elif registry.event_date < today:
        # A long-lived dev database: keep the demo's big day ahead of us.
        registry.event_date = today + datetime.timedelta(days=EVENT_IN_DAYS)
        registry.save(update_fields=["event_date", "updated_at"])
        created.append("event date")
    if not _file_exists(registry.cover_photo):
        registry.cover_photo.save("demo-alex-and-sam.jpg", ContentFile(cover_picture()), save=True)
        created.append("cover photo")
    if not registry.owners.filter(pk=owner.pk).exists():
        registry.owners.add(owner)
    return registry


def _ensure_premium(registry: Registry, owner: User, now: datetime.datetime, created: list[str]) -> None:
    """Show the whole product: the demo is upgraded (a paid order, no PayPal involved)."""
    premium = Plan.objects.filter(slug="premium").first()
    if premium is None or Order.objects.paid().filter(registry=registry).exists():
        return
    Order.objects.create(
        registry=registry,
        plan=premium,
        created_by=owner,
        amount=premium.price,
        currency=premium.currency,
        status=Order.Status.PAID,
        payer_email=owner.email,
        paid_at=now,
    )
    created.append("premium upgrade")


def _file_exists(field_file) -> bool:
    return bool(field_file) and field_file.storage.exists(field_file.name)


def _new_item(registry: Registry, gift: Gift, position: int) -> Item:
    price = Decimal(gift.price) if gift.price else None
    item = Item(
        registry=registry, **{**asdict(gift), "price": price}, store_url=gift.store_url, position=position
    )
    _draw_item_picture(item, save=False)
    return item


def _draw_item_picture(item: Item, *, save: bool) -> None:
    picture = ContentFile(item_picture(item.title, item.category))
    item.image.save(f"demo-{slugify(item.title)[:80]}.jpg", picture, save=save)


def _repair_pictures(registry: Registry, created: list[str]) -> None:
    """Draw pictures again for items whose file is gone (say, a wiped MEDIA_ROOT); make their thumbnails.

    The thumbnails are made here rather than by the first page that shows
    them, and made again when their files are gone but sorl still knows them.
    """
    repaired = 0
    for item in registry.items.exclude(image=""):
        if not _file_exists(item.image):
            _draw_item_picture(item, save=False)
            item.save(update_fields=["image"])
            repaired += 1
        remember_thumbnails(item, "image", "item")
    make_thumbnails_of(registry.cover_photo, "cover")
    if repaired:
        created.append(f"{repaired} pictures")


def _ensure_items(registry: Registry, min_items: int, created: list[str]) -> None:
    existing = set(registry.items.values_list("title", flat=True))
    last = registry.items.order_by("-position").values_list("position", flat=True).first() or 0
    gifts = [gift for gift in GIFTS if gift.title not in existing]
    extras = (gift for gift in map(extra_gift, itertools.count()) if gift.title not in existing)
    gifts += itertools.islice(extras, max(min_items - len(existing) - len(gifts), 0))
    new = [_new_item(registry, gift, position) for position, gift in enumerate(gifts, start=last + 1)]
    if new:
        Item.objects.bulk_create(new)
        created.append(f"{len(new)} items")


def _ensure_reservations(registry: Registry, now: datetime.datetime, created: list[str]) -> None:
    items = {item.title: item for item in registry.items.all()}
    have = set(Reservation.objects.filter(item__registry=registry).values_list("item__title", "guest_email"))
    new = []
    for guest in GUESTS:
        item = items.get(guest.item)
        if item is None or (guest.item, guest.email) in have:
            continue
        new.append(
            Reservation(
                item=item,
                item_title=item.title,
                registry=registry,  # bulk_create skips Claim.save(), which fills these in
                guest_name=guest.name,
                guest_email=guest.email,
                message=guest.message,
                quantity=guest.quantity,
                bought_at=now - datetime.timedelta(days=guest.bought_days_ago)
                if guest.bought_days_ago is not None
                else None,
                cancelled_at=now - datetime.timedelta(days=1) if guest.cancelled else None,
            )
        )
    if new:
        Reservation.objects.bulk_create(new)
        created.append(f"{len(new)} reservations")


HONEYMOON = "Our honeymoon in the Azores"
HONEYMOON_STORY = (
    "We met on a ferry to São Miguel, so that is where we are going back: two weeks of hot springs, "
    "whale watching and far too many custard tarts.\n\n"
    "If you would like to give something toward it, every little bit becomes a memory we will share with you."
)
INSTRUCTIONS = (
    "A bank transfer to Alex & Sam, IBAN PT50 0002 0123 1234 5678 9015 4 (reference: your name), "
    "or an envelope at the party."
)
# (name, email, amount, message, status): the honeymoon fund's contributions.
CONTRIBUTIONS = [
    (
        "Grandma Rose",
        "rose@example.com",
        "250.00",
        "For a boat trip — send me a photo of a whale!",
        "received",
    ),
    ("Priya & Tom", "priya@example.com", "120.00", "Have the best time.", "promised"),
    ("Uncle Ben", "ben@example.com", "80.00", "", "received"),
]


def _ensure_fund(registry: Registry, created: list[str]) -> None:
    """Alex & Sam's honeymoon fund, with a target and a few contributions (its total kept in step)."""
    fund = registry.items.filter(title=HONEYMOON).first()
    if fund is None:
        last = registry.items.order_by("-position").values_list("position", flat=True).first() or 0
        fund = Item(
            registry=registry,
            kind=Item.Kind.FUND,
            group_gift=True,
            title=HONEYMOON,
            description=HONEYMOON_STORY,
            price=Decimal("3000.00"),
            currency=registry.items.values_list("currency", flat=True).first() or "EUR",
            priority=Item.Priority.MOST_WANTED,
            category="Honeymoon",
            position=last + 1,
        )
        _draw_item_picture(fund, save=False)
        fund.save()
        created.append("the honeymoon fund")
    # How the demo couple receive contributions: shown to a guest once they have given.
    Registry.objects.filter(pk=registry.pk, pledge_instructions="").update(pledge_instructions=INSTRUCTIONS)
    have = set(fund.pledges.values_list("guest_email", flat=True))
    new = [
        Pledge(
            item=fund,
            guest_name=name,
            guest_email=email,
            amount=Decimal(amount),
            message=message,
            status=status,
        )
        for name, email, amount, message, status in CONTRIBUTIONS
        if email not in have
    ]
    if new:
        Pledge.objects.bulk_create(new)
        created.append(f"{len(new)} contributions")
    total = sum(fund.pledges.active().values_list("amount", flat=True), Decimal("0"))
    Item.objects.filter(pk=fund.pk).exclude(pledged_total=total).update(
        pledged_total=total, cache_version=F("cache_version") + 1
    )


def sync_reserved_counts(registry: Registry) -> int:
    """Set each item's reserved_count to its active reservations' total; returns rows fixed."""
    total = (
        Reservation.objects.active()
        .filter(item=OuterRef("pk"))
        .values("item")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    stale = (
        Item.objects.filter(registry=registry)
        .annotate(actual=Coalesce(Subquery(total, output_field=IntegerField()), Value(0)))
        .filter(~Q(reserved_count=F("actual")))
    )
    fixed = 0
    for pk, actual in stale.values_list("pk", "actual"):
        fixed += Item.objects.filter(pk=pk).update(
            reserved_count=actual, cache_version=F("cache_version") + 1
        )
    return fixed


@transaction.atomic
def seed(min_items: int = 0, with_staff: bool = False) -> Result:
    """Make sure the demo data exists; add only what is missing.

    The demo owner, the public registry ``alex-and-sam`` (on Premium) with its
    cover photo, the curated gifts (plus generated ones up to ``min_items``), the guests'
    reservations, and item reserved counts equal to the active reservations.
    With ``with_staff``, also the staff account ``admin@example.com``.
    """
    created: list[str] = []
    today, now = timezone.localdate(), timezone.now()
    owner, made = ensure_user(DEMO_EMAIL, DEMO_PASSWORD, name="Alex")
    if made:
        created.append(f"user {DEMO_EMAIL}")
    if with_staff and ensure_user(STAFF_EMAIL, STAFF_PASSWORD, staff=True, name="Whisper staff")[1]:
        created.append(f"staff user {STAFF_EMAIL}")
    registry = _ensure_registry(owner, today, created)
    _ensure_premium(registry, owner, now, created)
    _ensure_items(registry, min_items, created)
    _repair_pictures(registry, created)
    _ensure_reservations(registry, now, created)
    _ensure_fund(registry, created)
    if sync_reserved_counts(registry):
        created.append("reserved counts")
    if created:
        registry.bump_version()
    return Result(
        registry=registry,
        items=registry.items.count(),
        reservations=Reservation.objects.filter(item__registry=registry).active().count(),
        created=created,
    )
