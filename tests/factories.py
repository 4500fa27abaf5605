"""factory-boy factories for Whisper's models."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone
from PIL import Image

from apps.accounts.models import User
from apps.items.models import Item
from apps.registries.models import Registry
from apps.reservations.models import Reservation

PASSWORD = "correct-horse-battery"


def image_file(
    name: str = "gift.png", size: tuple[int, int] = (64, 48), color: str = "#c06", fmt: str = "PNG"
):
    """A small real image, as an upload."""
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg"}[fmt]
    return SimpleUploadedFile(name, buf.getvalue(), content_type=content_type)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"couple{n}@example.com")
    name = factory.Faker("first_name")
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RegistryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registry
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"alex-and-sam-{n}")
    partner_one = "Alex"
    partner_two = "Sam"
    event_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    location = "Lisbon"
    welcome_message = "Thank you for celebrating with us!"
    privacy = Registry.Privacy.PUBLIC

    @factory.post_generation
    def owners(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.owners.set(extracted if extracted is not None else [UserFactory()])


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    registry = factory.SubFactory(RegistryFactory)
    title = factory.Sequence(lambda n: f"Gift {n}")
    description = "Something lovely."
    price = Decimal("49.00")
    currency = "USD"
    quantity = 1
    position = factory.Sequence(int)


class ReservationFactory(factory.django.DjangoModelFactory):
    """A reservation; keeps the item's reserved_count in step, as the services do."""

    class Meta:
        model = Reservation

    item = factory.SubFactory(ItemFactory)
    guest_name = factory.Faker("name")
    guest_email = factory.Sequence(lambda n: f"guest{n}@example.com")
    message = "Congratulations!"
    quantity = 1

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        if obj.cancelled_at is None:
            Item.objects.filter(pk=obj.item_id).update(reserved_count=F("reserved_count") + obj.quantity)
            obj.item.refresh_from_db()
        return obj
