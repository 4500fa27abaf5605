"""A gift the couple deletes or hides: each guest with a claim is mailed once, and their link says so."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from apps.items import services as items
from apps.items.models import Item
from apps.reservations import services
from apps.reservations.models import Pledge, Reservation
from tests.factories import ItemFactory


def _removed_mails(to: str | None = None) -> list:
    return [m for m in mail.outbox if "taken off the registry" in m.subject and (to is None or m.to == [to])]


@pytest.fixture
def claimed(hammock):
    """The hammock, reserved by two guests (and a third who cancelled)."""
    pat = services.reserve(hammock.pk, 1, "Pat", "pat@example.com")
    kim = services.reserve(hammock.pk, 1, "Kim", "kim@example.com")
    services.cancel(kim.pk)
    lou = services.reserve(hammock.pk, 1, "Lou", "lou@example.com")
    mail.outbox.clear()
    return pat, lou


def test_deleting_mails_each_guest_with_a_claim_once(owner_client, registry, hammock, claimed, client):
    pat, _lou = claimed
    response = owner_client.post(reverse("items:delete", args=[registry.slug, hammock.pk]))

    assert response.status_code == 302
    assert not Item.objects.filter(pk=hammock.pk).exists()
    assert sorted(m.to[0] for m in _removed_mails()) == ["lou@example.com", "pat@example.com"]
    (to_pat,) = _removed_mails("pat@example.com")
    assert "Hammock" in to_pat.subject and pat.get_manage_url() in to_pat.body
    assert "Your claim on it is cancelled." in to_pat.body

    page = client.get(pat.get_manage_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "This gift was removed" in html and "Hammock" in html
    assert 'value="cancel"' not in html  # nothing left to change


def test_the_removal_mail_is_in_the_same_transaction(
    owner_client, registry, hammock, claimed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        items.delete_item(Item.objects.get(pk=hammock.pk))
    assert len(_removed_mails()) == 2


def test_a_delete_rolled_back_sends_nothing(registry, hammock, claimed, django_capture_on_commit_callbacks):
    # The delete is part of a larger change that fails.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        items.delete_item(Item.objects.get(pk=hammock.pk))
        raise RuntimeError("something after it failed")

    assert _removed_mails() == []
    assert Item.objects.filter(pk=hammock.pk).exists()
    assert Reservation.objects.filter(item=hammock, removed_at__isnull=False).count() == 0


def test_hiding_mails_once_and_the_page_says_removed(owner_client, registry, hammock, claimed, client):
    pat, _lou = claimed
    hide = reverse("items:hide", args=[registry.slug, hammock.pk])

    owner_client.post(hide)  # hide
    items.set_hidden(Item.objects.get(pk=hammock.pk), True)  # hidden again: nobody is told twice

    assert len(_removed_mails("pat@example.com")) == 1
    assert len(_removed_mails()) == 2
    html = client.get(pat.get_manage_url()).content.decode()
    assert "The couple removed this gift from their list." in html
    assert (
        'name="cancel"' in html
    )  # the claim stands: the guest may still cancel it (a confirmation step first)

    owner_client.post(hide)  # shown again: the claim is no longer "removed"
    assert "The couple removed this gift" not in client.get(pat.get_manage_url()).content.decode()
    assert len(_removed_mails()) == 2


def test_a_deleted_group_gifts_contributors_are_told(registry, client):
    gift = ItemFactory(registry=registry, title="Sofa", price=Decimal("900.00"), group_gift=True)
    pledge = services.AMOUNTS.take(gift.pk, Decimal("50.00"), "Ana", "ana@example.com")
    mail.outbox.clear()

    items.delete_item(gift)

    (told,) = _removed_mails("ana@example.com")
    assert "Sofa" in told.subject
    assert Pledge.objects.get(pk=pledge.pk).cancelled_at is not None
    assert "This gift was removed" in client.get(pledge.get_manage_url()).content.decode()


def test_a_gift_nobody_claimed_is_deleted_without_mail(registry, hammock):
    mail.outbox.clear()
    items.delete_item(Item.objects.get(pk=hammock.pk))
    assert mail.outbox == []
