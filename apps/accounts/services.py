"""Account workflows: sign up, verify the address, change the address, delete the account.

Views and the admin call these; each runs in one transaction and sends its
mail through ``apps.core.emails`` inside that transaction, so the mail and
the change it announces stand or fall together. Links are signed tokens
(``apps.accounts.tokens``), never rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

from axes.models import AccessAttempt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from sorl import thumbnail

from apps.core import emails
from apps.core.errors import ServiceError

from . import hooks
from .models import User
from .tokens import EMAIL_CHANGE_SALT, VERIFY_SALT, InvalidLink, lifetime, sign, unsign

logger = logging.getLogger(__name__)


class AccountError(ServiceError):
    """A request we refuse, with a message to show the person who made it."""


class EmailInUse(AccountError):
    code = "email_in_use"
    message = _(
        "An account with this email address already exists. "
        "Log in instead, or reset your password if you forgot it."
    )


def normalize_email(email: str) -> str:
    """Addresses are stored and compared trimmed and in lower case.

    >>> normalize_email("  Alex@Example.COM ")
    'alex@example.com'
    """
    return email.strip().lower()


def email_in_use(email: str, *, exclude: User | None = None) -> bool:
    """Whether another account already uses ``email`` (in any case)."""
    qs = User.objects.filter(email__iexact=normalize_email(email))
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.exists()


@transaction.atomic
def create_account(
    *, email: str, name: str, password: str, next_url: str = "", language: str = settings.LANGUAGE_CODE
) -> User:
    """Create a couple's account and mail it a verification link.

    ``language`` is the one the couple signed up in: their mails speak it.

    The password must already be validated (the signup form does it). With
    ``next_url`` (a path on this site, e.g. a partner's invitation) the
    link leads there once the address is verified.
    Raises ``EmailInUse`` when the address is taken, in any case, even when
    another signup for it wins a race.
    """
    email = normalize_email(email)
    if email_in_use(email):
        raise EmailInUse(email=email)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, name=name.strip(), language=language
            )
    except IntegrityError:
        raise EmailInUse(email=email) from None
    send_verification(user, next_url)
    return user


@transaction.atomic
def send_verification(user: User, next_url: str = "") -> None:
    """Mail ``user`` a signed link that verifies their current address (then goes on to ``next_url``)."""
    token = sign({"u": user.pk, "e": user.email}, VERIFY_SALT)
    verify_url = reverse("accounts:verify", args=[token])
    if next_url:
        verify_url += "?" + urlencode({"next": next_url})
    with translation.override(user.language):
        emails.send(
            "verify_email",
            user.email,
            {
                "name": user.get_short_name(),
                "verify_url": emails.absolute(verify_url),
                "lifetime": lifetime(),
            },
            language=user.language,
        )


@transaction.atomic
def verify_email(token: str) -> tuple[User, bool]:
    """Mark the address in ``token`` verified; welcome the couple the first time.

    Returns the user and whether this call verified them (``False`` when they
    already were: opening the link twice is fine). Raises ``InvalidLink`` when
    the token is tampered with, expired, or made for an address the account
    no longer has.
    """
    payload = unsign(token, VERIFY_SALT)
    # Lock the row so two clicks at once send one welcome mail.
    user = User.objects.select_for_update().filter(pk=payload.get("u"), is_active=True).first()
    if user is None:
        raise InvalidLink(_("This link is not valid: we could not find its account."), code="no_account")
    if normalize_email(user.email) != normalize_email(str(payload.get("e", ""))):
        raise InvalidLink(
            _(
                "This link was sent to an address this account no longer uses. "
                "Use the link in the most recent email we sent you."
            ),
            code="address_changed",
        )
    if user.email_verified:
        return user, False
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    with translation.override(user.language):
        emails.send(
            "welcome",
            user.email,
            {
                "name": user.get_short_name(),
                "create_url": emails.absolute(reverse("registries:create")),
            },
            language=user.language,
        )
    return user, True


@transaction.atomic
def request_email_change(user: User, new_email: str) -> None:
    """Mail a confirmation link to ``new_email``; nothing changes until it is opened.

    The caller has checked the current password. Raises ``AccountError`` when
    the address is the current one and ``EmailInUse`` when another account
    has it.
    """
    new_email = normalize_email(new_email)
    if new_email == normalize_email(user.email):
        raise AccountError(_("That is already your email address."), code="same_email")
    if email_in_use(new_email, exclude=user):
        raise EmailInUse(email=new_email)
    token = sign({"u": user.pk, "old": user.email, "new": new_email}, EMAIL_CHANGE_SALT)
    with translation.override(user.language):
        emails.send(
            "email_change",
            new_email,
            {
                "name": user.get_short_name(),
                "old_email": user.email,
                "new_email": new_email,
                "confirm_url": emails.absolute(reverse("accounts:email_change_confirm", args=[token])),
                "lifetime": lifetime(),
            },
            language=user.language,
        )


@transaction.atomic
def confirm_email_change(token: str) -> tuple[User, bool]:
    """Switch the account to the new address in ``token``, which is now verified.

    Returns the user and whether this call changed the address (``False``
    when the link was already used). Raises ``InvalidLink`` for a bad, expired
    or outdated link and ``EmailInUse`` when another account took the address
    in the meantime.
    """
    payload = unsign(token, EMAIL_CHANGE_SALT)
    old = normalize_email(str(payload.get("old", "")))
    new = normalize_email(str(payload.get("new", "")))
    user = User.objects.select_for_update().filter(pk=payload.get("u"), is_active=True).first()
    if user is None or not new:
        raise InvalidLink(_("This link is not valid: we could not find its account."), code="no_account")
    current = normalize_email(user.email)
    if current == new:
        return user, False
    if current != old:
        raise InvalidLink(
            _("This link is out of date: the account's email address has changed since we sent it."),
            code="address_changed",
        )
    if email_in_use(new, exclude=user):
        raise EmailInUse(email=new)
    user.email = new
    user.email_verified = True  # opening the link proves the new address works
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified"])
    except IntegrityError:
        raise EmailInUse(email=new) from None
    return user, True


@dataclass(frozen=True)
class DeletedAccount:
    """What :func:`delete_account` did: the registries deleted, and those left to a partner."""

    deleted_registries: list[str] = field(default_factory=list)
    kept_registries: list[str] = field(default_factory=list)


@transaction.atomic
def delete_account(user: User) -> DeletedAccount:
    """Delete ``user``'s account, and each registry they own alone, with everything on it.

    A registry shared with a partner stays, with the partner as its only owner.
    What goes with the account is contributed by the apps that keep it
    (``apps.accounts.hooks``); the picture files are removed once the
    transaction commits (a rollback keeps them).
    """
    pictures = [name for names in hooks.account_files(user) for name in names]
    done: dict[str, list[str]] = {}
    for part in hooks.deleting_account(user):
        done.update(part or {})
    AccessAttempt.objects.filter(username=normalize_email(user.email)).delete()
    user.delete()  # and with it the user's side of the shared registries' owners
    transaction.on_commit(lambda: _delete_pictures(pictures))
    return DeletedAccount(**done)


def _delete_pictures(names: list[str]) -> None:
    """Remove pictures and their thumbnails from media storage (after the rows are gone)."""
    for name in names:
        try:
            thumbnail.delete(name)
        except Exception:  # the account is gone already; a stray file must not turn that into a 500
            logger.exception("Could not delete the picture %s of a deleted account", name)
