"""What the site counts by itself: sign-ups, verifications, registries, items, reservations, mails."""

from __future__ import annotations

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.core.mail import send_mail
from django.db import transaction

from apps.accounts.models import User
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory, UserFactory


@pytest.mark.django_db
def test_a_signup_is_counted_once(counted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = UserFactory(email_verified=False)  # the factory saves twice
        user.name = "Robin"
        user.save()

    assert counted("signups") == 1
    assert counted("verified_accounts") == 0


@pytest.mark.django_db
def test_verifying_an_email_is_counted_once(counted, django_capture_on_commit_callbacks):
    user = UserFactory(email_verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        fresh = User.objects.get(pk=user.pk)
        fresh.email_verified = True
        fresh.save(update_fields=["email_verified"])
        fresh.save()  # saving again changes nothing
        User.objects.get(pk=user.pk).save()

    assert counted("verified_accounts") == 1


@pytest.mark.django_db
def test_loading_users_with_deferred_fields_costs_no_extra_query(django_assert_num_queries):
    UserFactory.create_batch(3)

    with django_assert_num_queries(1):
        assert len(list(User.objects.only("email"))) == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_signup_rolled_back_is_not_counted(counted):
    with pytest.raises(RuntimeError), transaction.atomic():
        User.objects.create_user("late@example.com", "pw-long-enough-1")
        raise RuntimeError("the welcome mail could not be queued")

    assert not User.objects.filter(email="late@example.com").exists()
    assert counted("signups") == 0


@pytest.mark.django_db
def test_registries_items_and_reservations_are_counted(counted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registry = RegistryFactory()
        item = ItemFactory(registry=registry)
        ItemFactory(registry=registry)
        ReservationFactory(item=item)
        item.title = "Renamed"
        item.save()  # an edit is not a new item

    assert counted("registries") == 1
    assert counted("items") == 2
    assert counted("reservations") == 1


@pytest.mark.django_db
def test_mails_sent_through_anymail_are_counted(settings, counted, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"

    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Hello", "Body", "hello@whisper.example", ["guest@example.com"])
        send_mail("Hello", "Body", "hello@whisper.example", ["other@example.com"])

    assert counted("mails_sent") == 2


@pytest.mark.django_db
def test_bounces_reported_by_the_mail_provider_are_counted(counted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for event_type in ("bounced", "delivered", "bounced"):
            tracking.send(
                sender=object, event=AnymailTrackingEvent(event_type=event_type), esp_name="Postmark"
            )

    assert counted("mails_bounced") == 2
