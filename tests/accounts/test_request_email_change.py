"""services.request_email_change: a mail to the new address, no change yet."""

from __future__ import annotations

import pytest
from django.core import mail

from apps.accounts import services


def test_mails_the_new_address_only(couple):
    services.request_email_change(couple, " Alex.New@Example.com ")

    couple.refresh_from_db()
    assert couple.email == "alex@example.com"
    assert [m.to for m in mail.outbox] == [["alex.new@example.com"]]


def test_refuses_the_current_address(couple):
    with pytest.raises(services.AccountError) as refused:
        services.request_email_change(couple, "ALEX@example.com")
    assert refused.value.code == "same_email"
    assert mail.outbox == []


def test_refuses_an_address_in_use(couple, other_couple):
    with pytest.raises(services.EmailInUse):
        services.request_email_change(couple, "Jo@Example.com")
    assert mail.outbox == []
