"""``manage.py seed_demo``: the demo registry, idempotent, with pictures and consistent counts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Q, Sum
from django.test import RequestFactory
from django.utils import timezone
from PIL import Image

from apps.accounts.models import User
from apps.items.models import Item
from apps.payments.limits import current_plan
from apps.payments.models import Order
from apps.registries.models import Registry
from apps.reservations.models import Reservation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Pictures go to this test's folder: the shared test-media folder is
    removed by whichever test run finishes first."""
    settings.MEDIA_ROOT = tmp_path / "media"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Everything a second run must leave as it was."""
    return {
        "users": list(User.objects.order_by("pk").values_list("pk", "email", "password", "is_staff")),
        "registries": list(Registry.objects.values_list("pk", "slug", "cache_version", "cover_photo")),
        "items": list(
            Item.objects.order_by("pk").values_list("pk", "title", "reserved_count", "image", "position")
        ),
        "orders": list(Order.objects.order_by("pk").values_list("pk", "status", "plan_id")),
        "reservations": list(
            Reservation.objects.order_by("pk").values_list("pk", "item_id", "quantity", "cancelled_at")
        ),
    }


def assert_counts_match_reservations() -> None:
    for item in Item.objects.annotate(
        active=Sum("reservations__quantity", filter=Q(reservations__cancelled_at__isnull=True))
    ):
        assert item.reserved_count == (item.active or 0), item.title
        assert item.unlimited or item.reserved_count <= item.quantity


def test_seed_twice_changes_nothing():
    first = seed()
    before = snapshot()

    second = seed()

    assert snapshot() == before
    assert "Added nothing" in second
    assert "Added nothing" not in first
    assert User.objects.count() == 1
    assert Registry.objects.count() == 1
    assert 20 <= Item.objects.count() <= 30
    assert Reservation.objects.count() >= 5


def test_demo_owner_logs_in_with_the_published_password():
    seed()

    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request, username="demo@example.com", password="whisper-demo")

    assert user is not None
    assert user.email_verified
    assert not user.is_staff and not user.is_superuser
    assert authenticate(request, username="demo@example.com", password="wrong") is None


def test_demo_registry_is_public_with_a_date_ahead_and_a_cover():
    seed()

    registry = Registry.objects.get(slug="alex-and-sam")
    assert registry.title == "Alex & Sam"
    assert registry.privacy == Registry.Privacy.PUBLIC
    assert list(registry.owners.values_list("email", flat=True)) == ["demo@example.com"]
    days_ahead = (registry.event_date - timezone.localdate()).days
    assert 80 <= days_ahead <= 100
    assert registry.location and registry.welcome_message
    assert registry.cover_photo.storage.exists(registry.cover_photo.name)


def test_demo_registry_is_on_premium_once():
    seed()
    seed()

    registry = Registry.objects.get(slug="alex-and-sam")
    assert current_plan(registry).slug == "premium"
    assert Order.objects.filter(registry=registry).count() == 1


def test_demo_gifts_are_varied():
    seed()

    items = Item.objects.filter(registry__slug="alex-and-sam")
    assert {"Kitchen", "Home", "Garden", "Travel", "Experiences"} <= set(
        items.values_list("category", flat=True)
    )
    assert items.filter(currency="EUR").count() >= 2
    assert items.filter(currency="USD").count() > items.count() / 2
    assert items.filter(unlimited=True).count() == 1
    assert items.filter(priority=Item.Priority.MOST_WANTED).count() >= 3
    assert items.filter(hidden=True).count() == 1
    assert items.exclude(note="").count() >= 3
    gifts = items.exclude(kind="fund")  # a fund is bought nowhere
    assert not gifts.exclude(store_url__startswith="https://www.example.com/").exists()


def test_alex_and_sam_have_a_honeymoon_fund_with_contributions():
    seed()
    seed()  # idempotent

    fund = Item.objects.get(registry__slug="alex-and-sam", kind="fund")
    assert fund.price == Decimal("3000.00") and fund.group_gift and fund.description
    assert fund.pledges.count() == 3
    assert fund.pledged_total == Decimal("450.00")
    assert set(fund.pledges.values_list("status", flat=True)) == {"received", "promised"}


def test_every_gift_has_a_real_800_by_600_jpeg():
    seed()

    for item in Item.objects.all():
        assert item.image, item.title
        with item.image.open("rb") as f:
            picture = Image.open(BytesIO(f.read()))
        assert picture.format == "JPEG"
        assert picture.size == (800, 600)


def test_reserved_counts_equal_the_active_reservations():
    seed()

    assert_counts_match_reservations()
    active = Reservation.objects.active()
    assert active.filter(bought_at__isnull=False).exists()
    assert active.filter(bought_at__isnull=True).exists()
    assert Reservation.objects.filter(cancelled_at__isnull=False).exists()
    assert active.exclude(message="").exists()
    assert active.values("guest_email").distinct().count() >= 4
    # Some gifts are fully reserved, so guests see both states.
    assert Item.objects.filter(unlimited=False, hidden=False).exclude(reserved_count=0).exists()
    assert any(not item.is_available for item in Item.objects.all())


def test_seed_repairs_a_drifted_count_and_a_lost_picture():
    seed()
    item = Item.objects.get(title="Stand mixer")
    Item.objects.filter(pk=item.pk).update(reserved_count=0)
    item.image.storage.delete(item.image.name)

    seed()

    item.refresh_from_db()
    assert item.reserved_count == 1
    assert item.image.storage.exists(item.image.name)
    assert_counts_match_reservations()


def test_items_option_tops_the_registry_up_once():
    seed()
    seed("--items", "40")
    before = snapshot()

    seed("--items", "40")

    assert Item.objects.filter(registry__slug="alex-and-sam").count() == 40
    assert snapshot() == before
    assert all(item.image.storage.exists(item.image.name) for item in Item.objects.all())
    titles = list(Item.objects.values_list("title", flat=True))
    assert len(titles) == len(set(titles))


def test_items_option_on_an_empty_database():
    seed("--items", "40")

    assert Item.objects.count() >= 40
    assert_counts_match_reservations()


def test_staff_user_only_on_request():
    seed()
    assert not User.objects.filter(email="admin@example.com").exists()

    seed("--with-staff")

    request = RequestFactory().post("/admin/login/")
    staff = authenticate(request, username="admin@example.com", password="whisper-admin")
    assert staff is not None and staff.is_staff
    assert User.objects.count() == 2


def test_a_past_event_date_moves_ahead_again():
    seed()
    Registry.objects.update(event_date=datetime.date(2020, 6, 1))

    seed()

    assert Registry.objects.get().event_date > timezone.localdate()


def test_negative_items_is_refused():
    with pytest.raises(CommandError, match="--items"):
        seed("--items", "-1")
    assert not Registry.objects.exists()
