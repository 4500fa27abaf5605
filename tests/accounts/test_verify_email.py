"""services.verify_email: a signed link, once per address, for active accounts."""

from __future__ import annotations

import pytest
from django.core import mail

from apps.accounts import services
from apps.accounts.tokens import VERIFY_SALT, sign


def test_verifies_once_then_reports_already_verified(unverified):
    token = sign({"u": unverified.pk, "e": "ROBIN@example.com"}, VERIFY_SALT)

    assert services.verify_email(token) == (unverified, True)
    assert services.verify_email(token) == (unverified, False)
    assert [m.subject for m in mail.outbox] == ["Welcome to Whisper, Robin"]


def test_a_deactivated_account_cannot_be_verified(unverified):
    unverified.is_active = False
    unverified.save()
    token = sign({"u": unverified.pk, "e": unverified.email}, VERIFY_SALT)

    with pytest.raises(services.InvalidLink) as refused:
        services.verify_email(token)
    assert refused.value.code == "no_account"
    unverified.refresh_from_db()
    assert not unverified.email_verified


def test_a_token_for_another_purpose_is_refused(unverified):
    token = sign({"u": unverified.pk, "e": unverified.email}, "some.other.salt")

    with pytest.raises(services.InvalidLink) as refused:
        services.verify_email(token)
    assert refused.value.code == "invalid_link"
