"""Signed, expiring links for couples: verify an address, confirm a new one.

Nothing is stored on the server: a token is a ``django.core.signing`` payload
with a salt per purpose. Each payload names the user and the address it was
made for, so the link dies as soon as the account's address changes.

>>> token = sign({"u": 1, "e": "alex@example.com"}, VERIFY_SALT)
>>> unsign(token, VERIFY_SALT)
{'u': 1, 'e': 'alex@example.com'}
>>> unsign(token, EMAIL_CHANGE_SALT)
Traceback (most recent call last):
...
apps.accounts.tokens.InvalidLink: This link is not valid. ...
>>> unsign(token, VERIFY_SALT, max_age=-1)
Traceback (most recent call last):
...
apps.accounts.tokens.InvalidLink: This link has expired. ...
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from apps.core.errors import ServiceError

VERIFY_SALT = "whisper.accounts.verify-email"
EMAIL_CHANGE_SALT = "whisper.accounts.change-email"


class InvalidLink(ServiceError):
    """A link that was tampered with, has expired, or no longer applies."""

    code = "invalid_link"
    message = _("This link is not valid.")


def sign(payload: dict, salt: str) -> str:
    """A URL-safe token carrying ``payload``, signed for one purpose."""
    return signing.dumps(payload, salt=salt)


def unsign(token: str, salt: str, max_age: int | None = None) -> dict:
    """The payload of ``token``; ``InvalidLink`` when tampered with or too old.

    ``max_age`` defaults to ``settings.WHISPER_VERIFY_MAX_AGE`` (seconds).
    """
    if max_age is None:
        max_age = settings.WHISPER_VERIFY_MAX_AGE
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidLink(
            _("This link has expired. Links we send stay valid for a limited time — ask for a new one."),
            code="expired",
        ) from None
    except signing.BadSignature:
        raise InvalidLink(
            _("This link is not valid. Please check that you copied the whole link from the email.")
        ) from None
    if not isinstance(payload, dict):
        raise InvalidLink()
    return payload


def lifetime() -> str:
    """How long our links stay valid, in words ("1 week").

    >>> from django.test import override_settings
    >>> with override_settings(WHISPER_VERIFY_MAX_AGE=3 * 24 * 3600):
    ...     lifetime()
    '3\\xa0days'
    """
    start = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    end = start + datetime.timedelta(seconds=max(settings.WHISPER_VERIFY_MAX_AGE, 60))
    return timesince(start, end, depth=1)
