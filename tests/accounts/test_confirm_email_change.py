"""services.confirm_email_change: the database has the last word on a taken address."""

from __future__ import annotations

import pytest

from apps.accounts import services
from apps.accounts.tokens import EMAIL_CHANGE_SALT, sign
from tests.factories import UserFactory


def test_a_change_that_loses_the_race_is_refused_cleanly(couple, monkeypatch):
    token = sign({"u": couple.pk, "old": couple.email, "new": "sam@example.com"}, EMAIL_CHANGE_SALT)
    UserFactory(email="Sam@Example.com")
    monkeypatch.setattr(services, "email_in_use", lambda email, exclude=None: False)

    with pytest.raises(services.EmailInUse):
        services.confirm_email_change(token)
    couple.refresh_from_db()
    assert couple.email == "alex@example.com"


def test_a_token_of_a_deleted_account_is_refused(couple):
    token = sign({"u": couple.pk, "old": couple.email, "new": "x@example.com"}, EMAIL_CHANGE_SALT)
    couple.delete()

    with pytest.raises(services.InvalidLink) as refused:
        services.confirm_email_change(token)
    assert refused.value.code == "no_account"
