"""The plans hold for every request: the item limit and the paid features, enforced in the services.

A free registry cannot get its 31st item by any request — the add page, a
hand-made POST, a direct service call, or two owners adding at the same time —
and a cover photo or a CSV export needs Premium. After a refund the registry
is Free again: nothing is hidden, but the limits are back.
"""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.items import services as item_services
from apps.items.models import Item
from apps.payments.models import Order
from apps.registries import services as registry_services
from apps.registries.models import Registry
from apps.registries.plans import PlanLimitReached
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory, image_file

LIMIT_MESSAGE = "The Free plan holds up to 30 items."
NEW_ITEM = {"title": "The thirty-first gift", "quantity": "1", "currency": "USD", "priority": "2"}


@pytest.fixture
def media(settings, tmp_path):
    """Uploads of this test in a folder of its own, to see whether any file was stored."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _stored_files(media) -> list[str]:
    return [str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()] if media.exists() else []


def _add_url(registry) -> str:
    return reverse("items:add", args=[registry.slug])


def _edit_data(registry, **overrides) -> dict:
    data = {
        "partner_one": registry.partner_one,
        "partner_two": registry.partner_two,
        "event_date": registry.event_date.isoformat(),
        "location": registry.location,
        "welcome_message": registry.welcome_message,
        "slug": registry.slug,
        "privacy": registry.privacy,
        "passphrase": "",
        "spoilers": registry.spoilers,
    }
    data.update(overrides)
    return data


# The item limit ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_thirtieth_item_is_still_welcome(owner_client, registry, plans):
    ItemFactory.create_batch(29, registry=registry)

    response = owner_client.post(_add_url(registry), NEW_ITEM)

    assert response.status_code == 302
    assert registry.items.count() == 30


@pytest.mark.django_db
def test_a_post_for_the_31st_item_is_refused_with_a_message(owner_client, registry, plans, media):
    ItemFactory.create_batch(30, registry=registry)
    version = Registry.objects.get(pk=registry.pk).cache_version

    response = owner_client.post(_add_url(registry), {**NEW_ITEM, "image": image_file("gift.png")})

    assert response.status_code == 200
    html = response.content.decode()
    assert LIMIT_MESSAGE in html
    assert reverse("payments:upgrade", args=[registry.slug]) in html
    assert 'value="The thirty-first gift"' in html  # what was typed is kept
    assert registry.items.count() == 30
    assert not Item.objects.filter(title="The thirty-first gift").exists()
    assert Registry.objects.get(pk=registry.pk).cache_version == version
    assert _stored_files(media) == []


@pytest.mark.django_db
def test_the_add_page_says_so_before_anything_is_typed(owner_client, registry, plans):
    ItemFactory.create_batch(30, registry=registry)

    html = owner_client.get(_add_url(registry)).content.decode()

    assert LIMIT_MESSAGE in html
    assert reverse("payments:upgrade", args=[registry.slug]) in html


@pytest.mark.django_db
def test_the_add_page_of_a_registry_with_room_has_no_warning(owner_client, registry, plans):
    ItemFactory.create_batch(29, registry=registry)

    html = owner_client.get(_add_url(registry)).content.decode()

    assert LIMIT_MESSAGE not in html
    assert 'id="plan-limit"' not in html


@pytest.mark.django_db
def test_hidden_items_count_too(owner_client, registry, plans):
    ItemFactory.create_batch(30, registry=registry, hidden=True)

    response = owner_client.post(_add_url(registry), NEW_ITEM)

    assert LIMIT_MESSAGE in response.content.decode()
    assert registry.items.count() == 30


@pytest.mark.django_db
def test_the_service_refuses_the_31st_item_whoever_calls_it(registry, plans):
    ItemFactory.create_batch(30, registry=registry)

    with pytest.raises(PlanLimitReached) as excinfo:
        item_services.add_item(registry, Item(title="Sneaked in"))

    assert excinfo.value.code == "item_limit"
    assert registry.items.count() == 30
    assert not Item.objects.filter(title="Sneaked in").exists()


@pytest.mark.django_db
def test_premium_takes_the_31st_item_and_more(owner_client, premium_registry):
    ItemFactory.create_batch(30, registry=premium_registry)

    response = owner_client.post(_add_url(premium_registry), NEW_ITEM)
    item_services.add_item(premium_registry, Item(title="The thirty-second gift"))

    assert response.status_code == 302
    assert premium_registry.items.count() == 32


@pytest.mark.django_db
def test_the_add_page_reads_the_limit_in_constant_queries(owner_client, registry, plans, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limit-queries"}
    }
    ItemFactory.create_batch(3, registry=registry)
    owner_client.get(_add_url(registry))  # warm the session cache
    with CaptureQueriesContext(connection) as few:
        owner_client.get(_add_url(registry))
    ItemFactory.create_batch(27, registry=registry)
    with CaptureQueriesContext(connection) as full:
        response = owner_client.get(_add_url(registry))

    assert LIMIT_MESSAGE in response.content.decode()
    assert len(full) == len(few)


# serialized_rollback, as the other transactional tests: it starts from the migrated
# data and, flushing without re-creating content types, does not trip the serialized
# tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_owners_adding_the_30th_item_at_once_get_one_in(plans):
    """The registry row lock makes the count and the insert one step: never 31."""
    registry = RegistryFactory()
    ItemFactory.create_batch(29, registry=registry)
    barrier = threading.Barrier(4)
    results: list[object] = [None] * 4

    def add(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[n] = item_services.add_item(registry, Item(title=f"Racing gift {n}"))
        except Exception as exc:
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert sum(isinstance(r, Item) for r in results) == 1, results
    assert sum(isinstance(r, PlanLimitReached) for r in results) == 3, results
    assert Item.objects.filter(registry=registry).count() == 30


# After a refund -------------------------------------------------------------------


@pytest.mark.django_db
def test_after_a_refund_adding_is_refused_but_every_item_stays_visible(
    client, owner_client, premium_registry
):
    kept = [ItemFactory(registry=premium_registry, title=f"Kept gift #{n:02d}") for n in range(31)]
    ReservationFactory(item=kept[0])
    premium_registry.orders.update(status=Order.Status.REFUNDED)

    response = owner_client.post(_add_url(premium_registry), NEW_ITEM)

    assert response.status_code == 200
    assert LIMIT_MESSAGE in response.content.decode()
    assert premium_registry.items.count() == 31
    with pytest.raises(PlanLimitReached):
        item_services.add_item(premium_registry, Item(title="Sneaked in"))
    public = client.get(premium_registry.get_absolute_url(), {"show": "all"})  # past the first page of gifts
    assert public.status_code == 200
    html = public.content.decode()
    assert all(item.title in html for item in kept)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Order.Status.REFUNDED, Order.Status.REVERSED])
def test_after_a_refund_the_dashboard_shows_free_and_the_upgrade(owner_client, premium_registry, status):
    ItemFactory.create_batch(31, registry=premium_registry)
    premium_registry.orders.update(status=status)

    html = owner_client.get(reverse("registries:dashboard", args=[premium_registry.slug])).content.decode()

    assert "This registry is on <strong>Free</strong>." in html
    assert "31 of 30 gifts used." in html
    assert "Your registry is full" in html
    assert reverse("payments:upgrade", args=[premium_registry.slug]) in html


# The cover photo -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cover_photo_upload_is_refused_on_free_and_no_file_is_stored(owner_client, registry, plans, media):
    url = reverse("registries:edit", args=[registry.slug])

    response = owner_client.post(url, _edit_data(registry, cover_photo=image_file("cover.png")))

    assert response.status_code == 200
    assert "A cover photo comes with an upgrade of the registry." in response.content.decode()
    assert Registry.objects.get(pk=registry.pk).cover_photo.name == ""
    assert _stored_files(media) == []


@pytest.mark.django_db
def test_a_cover_photo_upload_is_allowed_on_premium(owner_client, premium_registry, media):
    url = reverse("registries:edit", args=[premium_registry.slug])

    response = owner_client.post(url, _edit_data(premium_registry, cover_photo=image_file("cover.png")))

    assert response.status_code == 302
    name = Registry.objects.get(pk=premium_registry.pk).cover_photo.name
    assert name.startswith("covers/")
    assert _stored_files(media) == [name]


@pytest.mark.django_db
def test_the_registry_services_refuse_a_cover_on_free(registry, couple, plans, media):
    registry.cover_photo = image_file("cover.png")
    with pytest.raises(PlanLimitReached):
        registry_services.update_registry(registry)

    new = Registry(partner_one="Jo", partner_two="Kim", event_date=registry.event_date)
    new.cover_photo = SimpleUploadedFile("cover.png", image_file().read(), content_type="image/png")
    with pytest.raises(PlanLimitReached):
        registry_services.create_registry(new, owner=couple)

    assert Registry.objects.get(pk=registry.pk).cover_photo.name == ""
    assert not Registry.objects.filter(partner_two="Kim").exists()
    assert _stored_files(media) == []


@pytest.mark.django_db
def test_after_a_refund_a_new_cover_is_refused(owner_client, premium_registry, media):
    premium_registry.orders.update(status=Order.Status.REFUNDED)
    url = reverse("registries:edit", args=[premium_registry.slug])

    response = owner_client.post(url, _edit_data(premium_registry, cover_photo=image_file("cover.png")))

    assert "A cover photo comes with an upgrade of the registry." in response.content.decode()
    assert _stored_files(media) == []


# The CSV export --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_csv_export_is_refused_on_free(owner_client, registry, plans):
    ReservationFactory(item=ItemFactory(registry=registry), guest_name="Robin")

    response = owner_client.get(reverse("reservations:export", args=[registry.slug]), follow=True)

    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "CSV export comes with an upgrade of the registry." in html
    assert response.redirect_chain == [(reverse("registries:dashboard", args=[registry.slug]) + "#plan", 302)]
    assert "Content-Disposition" not in response


@pytest.mark.django_db
def test_the_csv_export_is_allowed_on_premium(owner_client, premium_registry):
    ReservationFactory(item=ItemFactory(registry=premium_registry), guest_name="Robin")

    response = owner_client.get(reverse("reservations:export", args=[premium_registry.slug]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "Robin" in response.content.decode("utf-8-sig")


@pytest.mark.django_db
def test_after_a_refund_the_csv_export_is_refused_again(owner_client, premium_registry):
    ReservationFactory(item=ItemFactory(registry=premium_registry), guest_name="Robin")
    premium_registry.orders.update(status=Order.Status.REFUNDED)

    response = owner_client.get(reverse("reservations:export", args=[premium_registry.slug]))

    assert response.status_code == 302
    assert response["Location"].endswith("#plan")


# Privacy is never a paid feature ------------------------------------------------------


@pytest.mark.django_db
def test_a_free_registry_may_be_protected_by_a_passphrase(owner_client, registry, plans):
    url = reverse("registries:edit", args=[registry.slug])

    response = owner_client.post(url, _edit_data(registry, privacy="protected", passphrase="our secret"))

    assert response.status_code == 302
    stored = Registry.objects.get(pk=registry.pk)
    assert stored.privacy == "protected"
    assert stored.check_passphrase("our secret")
