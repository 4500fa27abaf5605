"""services.create_account: one account per address, whatever the case or the timing."""

from __future__ import annotations

import pytest
from django.core import mail

from apps.accounts import services
from apps.accounts.models import User
from tests.factories import UserFactory


@pytest.mark.django_db
def test_creates_a_normalized_unverified_account_and_mails_it():
    user = services.create_account(email=" Sam@Example.COM ", name=" Sam ", password="lantern-orchard-42")

    assert (user.email, user.name, user.email_verified) == ("sam@example.com", "Sam", False)
    assert user.check_password("lantern-orchard-42")
    assert [m.to for m in mail.outbox] == [["sam@example.com"]]


@pytest.mark.django_db
def test_refuses_an_address_in_use():
    UserFactory(email="sam@example.com")

    with pytest.raises(services.EmailInUse):
        services.create_account(email="SAM@example.com", name="Sam", password="lantern-orchard-42")
    assert User.objects.count() == 1
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_signup_that_loses_the_race_is_refused_cleanly(monkeypatch):
    # Another signup for the same address commits between our check and our insert:
    # the database's case-insensitive unique constraint has the last word.
    UserFactory(email="sam@example.com")
    monkeypatch.setattr(services, "email_in_use", lambda email, exclude=None: False)

    with pytest.raises(services.EmailInUse):
        services.create_account(email="Sam@example.com", name="Sam", password="lantern-orchard-42")
    assert User.objects.count() == 1
    assert mail.outbox == []
