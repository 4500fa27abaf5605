"""apps.registries.invitations — invite the partner, accept, remove an owner (called directly)."""

from __future__ import annotations

import threading

import pytest
from django.core import mail, signing
from django.db import connection

from apps.registries import invitations
from tests.factories import RegistryFactory, UserFactory
from tests.gifts import link_paths

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(db):
    return UserFactory(email="sam@example.com", name="Sam")


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def test_inviting_mails_a_signed_link(registry, couple):
    path = invitations.invite(registry, couple, "  Sam@Example.com ")

    [message] = mail.outbox
    assert message.to == ["sam@example.com"]
    assert "co-own" in message.subject
    assert path in link_paths(message)
    assert "Alex" in message.body
    found, email, _version = invitations.read_token(_token(path))
    assert (found, email) == (registry, "sam@example.com")


def test_an_owner_cannot_be_invited_again(registry, couple):
    with pytest.raises(invitations.InvitationError) as refused:
        invitations.invite(registry, couple, "ALEX@example.com")
    assert refused.value.code == "already_owner"
    assert mail.outbox == []


def test_accepting_makes_the_invitee_an_owner_once(registry, couple, sam):
    token = _token(invitations.invite(registry, couple, "sam@example.com"))

    assert invitations.accept(token, sam) == (registry, True)
    assert invitations.accept(token, sam) == (registry, False)  # a second click is harmless
    assert set(registry.owners.all()) == {couple, sam}


def test_only_the_invited_address_can_accept(registry, couple, other_couple):
    token = _token(invitations.invite(registry, couple, "sam@example.com"))

    with pytest.raises(invitations.WrongAccount) as refused:
        invitations.accept(token, other_couple)
    assert refused.value.params["invited"] == "sam@example.com"
    assert list(registry.owners.all()) == [couple]


def test_a_tampered_link_is_refused(registry, couple, sam):
    token = _token(invitations.invite(registry, couple, "sam@example.com"))
    forged = signing.dumps({"r": registry.pk, "e": "sam@example.com", "v": 1}, salt="another salt")

    for bad in (token[:-2] + "xx", forged, "nonsense"):
        with pytest.raises(invitations.InvalidInvitation) as refused:
            invitations.accept(bad, sam)
        assert refused.value.code == "invalid_invitation"
    assert list(registry.owners.all()) == [couple]


def test_an_expired_link_is_refused(registry, couple, sam, settings):
    token = _token(invitations.invite(registry, couple, "sam@example.com"))
    settings.WHISPER_VERIFY_MAX_AGE = -1

    with pytest.raises(invitations.InvalidInvitation) as refused:
        invitations.accept(token, sam)
    assert refused.value.code == "expired"
    assert list(registry.owners.all()) == [couple]


def test_a_removed_owner_cannot_come_back_with_the_old_link(registry, couple, sam):
    token = _token(invitations.invite(registry, couple, "sam@example.com"))
    invitations.accept(token, sam)

    invitations.remove_owner(registry, sam)

    with pytest.raises(invitations.InvalidInvitation) as refused:
        invitations.accept(token, sam)
    assert refused.value.code == "owners_changed"
    assert list(registry.owners.all()) == [couple]


def test_either_owner_can_remove_the_other_but_never_the_last(registry, couple, sam):
    registry.owners.add(sam)

    invitations.remove_owner(registry, couple)  # Sam removes Alex (or Alex leaves)
    assert list(registry.owners.all()) == [sam]

    with pytest.raises(invitations.LastOwner) as refused:
        invitations.remove_owner(registry, sam)
    assert refused.value.code == "last_owner"
    assert list(registry.owners.all()) == [sam]


def test_removing_someone_who_is_no_owner_is_refused(registry, couple, sam):
    with pytest.raises(invitations.InvitationError) as refused:
        invitations.remove_owner(registry, sam)
    assert refused.value.code == "not_an_owner"
    assert list(registry.owners.all()) == [couple]


@pytest.mark.django_db(transaction=True)
def test_two_owners_removing_each_other_at_once_leave_one_owner():
    alex, sam = UserFactory(email="alex@example.com"), UserFactory(email="sam@example.com")
    registry = RegistryFactory(owners=[alex, sam])
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def remove(user) -> None:
        try:
            barrier.wait(timeout=10)
            invitations.remove_owner(registry, user)
            outcomes.append("removed")
        except invitations.LastOwner as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=remove, args=(user,)) for user in (alex, sam)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes.count("removed") == 1, outcomes
    assert registry.owners.count() == 1
