"""Two owners: invite the partner by email, accept, remove an owner.

An invitation is a signed link, not a row: ``django.core.signing`` with its
own salt, carrying the registry's id, the invited address and the registry's
``owners_version`` when it was sent, and it expires after
``WHISPER_VERIFY_MAX_AGE``. Every change of owners bumps that version, so old
links die as soon as the owners change — a removed partner cannot come back
through the invitation they once had.

Only the invited address can accept: the invitee logs in (or signs up and
verifies) with it. Both owners can then do everything, including removing
the other; the services never let a registry lose its last owner.
"""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.accounts.services import normalize_email
from apps.accounts.tokens import InvalidLink, lifetime, unsign
from apps.core import emails
from apps.core.errors import ServiceError

from .models import Registry

INVITATION_SALT = "whisper.registries.invitation"


class InvitationError(ServiceError):
    """An invitation the services refuse; ``str(error)`` is meant for the couple."""


class InvalidInvitation(InvitationError):
    """The link was tampered with, has expired, or no longer applies."""

    code = "invalid_invitation"
    message = _("This invitation link is not valid.")


class WrongAccount(InvitationError):
    """The invitation is for another address than the logged-in account's."""

    code = "wrong_account"
    message = _(
        "This invitation is for %(invited)s, but you are logged in as %(current)s. "
        "Log out, then log in (or sign up) as %(invited)s to accept it."
    )


class LastOwner(InvitationError):
    """Removing this owner would leave the registry without one."""

    code = "last_owner"
    message = _("A registry needs at least one owner, so the last one can't be removed.")


def make_token(registry: Registry, email: str) -> str:
    """The signed token of an invitation of ``email`` to co-own ``registry``."""
    payload = {"r": registry.pk, "e": normalize_email(email), "v": registry.owners_version}
    return signing.dumps(payload, salt=INVITATION_SALT, compress=True)


def read_token(token: str) -> tuple[Registry, str, int]:
    """The registry, the invited address and the owners' version in ``token``.

    Raises :class:`InvalidInvitation` when it is tampered with, expired, or
    its registry is gone.
    """
    try:
        payload = unsign(token, INVITATION_SALT)
    except InvalidLink as exc:
        if exc.code == "expired":
            raise InvalidInvitation(
                _("This invitation has expired: invitations work for %(lifetime)s. Ask for a new one."),
                code="expired",
                lifetime=lifetime(),
            ) from None
        raise InvalidInvitation(
            _(
                "This invitation link is not valid. "
                "Please check that you copied the whole link from the email."
            )
        ) from None
    if not {"r", "e", "v"} <= payload.keys():
        raise InvalidInvitation()
    registry = Registry.objects.filter(pk=payload["r"]).first()
    if registry is None:
        raise InvalidInvitation(_("The registry of this invitation no longer exists."), code="registry_gone")
    return registry, str(payload["e"]), payload["v"]


def invite(registry: Registry, inviter, email: str) -> str:
    """Mail ``email`` a link to become an owner of ``registry``; returns the link's path.

    Raises :class:`InvitationError` when the address already owns it. The
    mail is written to the outbox in this transaction.
    """
    email = normalize_email(email)
    with transaction.atomic():
        if registry.owners.filter(email__iexact=email).exists():
            raise InvitationError(
                _("%(email)s is already an owner of this registry."), code="already_owner", email=email
            )
        path = reverse("registries:invitation", args=[make_token(registry, email)])
        emails.send(
            "partner_invitation",
            email,
            {
                "registry": registry,
                "inviter": inviter,
                "accept_url": emails.absolute(path),
                "lifetime": lifetime(),
            },
        )
    return path


def check(token: str, user) -> tuple[Registry, str, bool]:
    """What accepting ``token`` as ``user`` would do: (registry, invited address, already an owner).

    Raises :class:`InvalidInvitation` for a bad or stale link and
    :class:`WrongAccount` when ``user`` is not the invited address.
    """
    registry, email, version = read_token(token)
    if normalize_email(user.email) != email:
        raise WrongAccount(invited=email, current=user.email)
    if registry.owners.filter(pk=user.pk).exists():
        return registry, email, True
    if version != registry.owners_version:
        raise InvalidInvitation(
            _(
                "This invitation no longer applies: the registry's owners changed since it was sent. "
                "Ask for a new one."
            ),
            code="owners_changed",
        )
    return registry, email, False


def accept(token: str, user) -> tuple[Registry, bool]:
    """Make ``user`` an owner of the invitation's registry; returns (registry, newly added).

    Raises what :func:`check` raises. Accepting twice is harmless.
    """
    registry, _email, _version = read_token(token)
    with transaction.atomic():
        # Lock the registry: a change of owners right now waits, and the
        # version is checked against the owners as they are then.
        Registry.objects.select_for_update().filter(pk=registry.pk).values_list("pk").get()
        registry, _email, already = check(token, user)
        if already:
            return registry, False
        registry.owners.add(user)
        _bump_owners_version(registry)
    return registry, True


def _bump_owners_version(registry: Registry) -> None:
    Registry.objects.filter(pk=registry.pk).update(owners_version=F("owners_version") + 1)


def remove_owner(registry: Registry, user) -> None:
    """Take ``user``'s access to ``registry`` away.

    Raises :class:`LastOwner` (and changes nothing) when ``user`` is its only
    owner, and :class:`InvitationError` when ``user`` is not an owner. The
    registry row is locked, so two owners removing each other at the same
    time cannot both succeed.
    """
    with transaction.atomic():
        Registry.objects.select_for_update().filter(pk=registry.pk).values_list("pk").get()
        owners = set(registry.owners.values_list("pk", flat=True))
        if user.pk not in owners:
            raise InvitationError(_("That person is not an owner of this registry."), code="not_an_owner")
        if len(owners) == 1:
            raise LastOwner()
        registry.owners.remove(user)
        _bump_owners_version(registry)
