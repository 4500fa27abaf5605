"""One lifecycle for a guest's claim on a gift: take, change, mark bought, cancel, and the mails.

A claim is a reservation of units of a gift (``UNITS``) or a pledge of an
amount toward a group gift's price (``AMOUNTS``). The lifecycle is written
once, in :class:`ClaimKind`; what differs — the model, the item's running
total it moves, the conditional "enough left" filter, how a value is checked
and read, the words of a refusal, the mails, the metric — is said once per
kind, in its subclass. A new kind of claim is one more subclass.

For every kind:

- The item's running total (``reserved_count``, ``pledged_total``) only moves
  through conditional ``UPDATE``s on the item row, so guests can never take
  more than is left, whatever the timing: PostgreSQL re-checks the ``WHERE``
  clause of a concurrent update against the row as the other transaction
  left it, and the table's CHECK constraints back that up.
- Rows are always locked in the same order — claim, item, registry — so that
  two workflows never wait on each other in a circle.
- Every change bumps the item's and the registry's ``cache_version`` (the
  cached public page must show the new counts) and writes the guest's mail to
  the outbox in the same transaction (``apps.core.emails.send``); it is sent
  once the transaction commits.
- A new claim is refused, with nothing written, once the registry's manage
  links have expired (nobody could change or cancel it), and for an address
  that gets no more mail or has had its day's share of guests' mail
  (``WHISPER_GUEST_MAILS_PER_ADDRESS_PER_DAY``): anyone may type any address.
- The same form sent twice (its ``key``) takes one claim: the second call
  returns the first claim, sends no mail, and under a race the unique key
  decides which one rolls back.
- The guest's mails carry a "this wasn't me" link (:meth:`ClaimKind.not_me`).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.core import emails
from apps.core.errors import ServiceError
from apps.core.money import format_money
from apps.items.models import MAX_TOTAL, Item, untargeted_fund
from apps.metrics.api import count
from apps.ops import flags
from apps.registries.models import Registry

from . import signals
from .models import Claim, Pledge, Reservation, new_pledge_invoice

Value = int | Decimal

# How many units of an "any number welcome" item one reservation may take.
MAX_UNLIMITED_PER_RESERVATION = 20
CENT = Decimal("0.01")


def money(amount: Decimal, currency: str) -> str:
    """An amount as guests read it, in the active language's way (``apps.core.money.format_money``)."""
    return format_money(amount, currency)


class ClaimError(ServiceError):
    """A request the claim rules refuse (codes ``invalid_quantity``, ``invalid_amount``, ``over_cap``)."""

    code = "invalid"


class Cancelled(ClaimError):
    """The claim was cancelled; it can no longer change."""

    code = "cancelled"


class Settled(ClaimError):
    """The money has reached the couple (or is on its way through PayPal): the guest can't change it."""

    code = "settled"


class NotAvailable(ClaimError):
    """Less is left than was asked for — someone was quicker — so nothing was written.

    Its code is ``not_enough_left`` while some is left; ``remaining`` is what is
    left, in the kind's own unit (``params`` hold it as guests read it).
    """

    code = "not_available"

    def __init__(self, message: str | Promise | None = None, *, remaining: Value = 0, **params: Any) -> None:
        super().__init__(message, **params)
        self.remaining = remaining


class Closed(NotAvailable):
    """The gift takes no claims of this kind at all (hidden, not a group gift, received)."""

    code = "closed"


class RegistryClosed(ClaimError):
    """The registry's manage links have expired: a new claim could never be changed or cancelled."""

    code = "registry_closed"
    message = _(
        "Sorry — %(couple)s's registry is closed: guests' links worked until %(date)s, "
        "so it takes no more gifts here. The couple will be glad to hear from you directly."
    )


class AddressRefused(ClaimError):
    """We may not mail this address: ``suppressed`` (it asked so, or bounced), or ``too_many_mails``."""

    code = "suppressed"
    message = _(
        "We no longer send mail to %(email)s (%(why)s), so we can't send you a link to manage this. "
        "Please use another address."
    )


TOO_MANY_MAILS = _(
    "%(email)s has had a lot of mail from this site today, so we can't take another gift for it "
    "until tomorrow. If you made those reservations or pledges, the links in the mails you got "
    "let you change them."
)


FORM_USED = _("This form was already sent for another gift or address. Please reload the page and try again.")


def links_expired(registry: Registry) -> bool:
    """Whether guests' manage links for ``registry`` no longer work (its last day has passed)."""
    return registry.links_expired()


def closed(registry: Registry) -> RegistryClosed | None:
    """Why ``registry`` takes no new claims (its links expired), or None while it does."""
    if not links_expired(registry):
        return None
    return RegistryClosed(couple=registry.title, date=formats.date_format(registry.token_valid_until()))


def _bump_registry(item_id: int, registry_id: int | None = None) -> None:
    """Bump the cache version of the item's registry (``registry_id``, when the caller knows it)."""
    registries = (
        Registry.objects.filter(pk=registry_id) if registry_id else Registry.objects.filter(items__pk=item_id)
    )
    registries.update(cache_version=F("cache_version") + 1)


def _touch(item_id: int | None, **moves: Any) -> None:
    """Bump the item's cache version (with any running total that moves with it), then its registry's."""
    if item_id is None:  # the couple deleted the gift: nothing is left to move
        return
    Item.objects.filter(pk=item_id).update(cache_version=F("cache_version") + 1, **moves)
    _bump_registry(item_id)


class ClaimKind:
    """A kind of claim: its rules as attributes and small methods, the lifecycle written once."""

    model: type[Claim]
    field: str  # the claim's value: how many units, how much
    total: str  # the item's running total of its active claims' values
    mail: str  # the mails' name prefix, and the claim's name in their context
    metric = ""  # counted on each new claim ("" when a signal counts it already)
    page: str  # the guest's page to take a claim
    gifts: Mapping[str, Any] = {}  # which visible gifts take this kind (a filter)
    flag = ""  # the feature flag without which this kind's pages are a 404
    # What guests read. Refusals: cancelled, invalid, not_available,
    # not_enough_left, and for a change not_enough_more and no_more (``%(left)s``,
    # ``%(most)s``). The pages: gone (``%(title)s``), taken, changed
    # (``%(value)s``), now_cancelled, already_cancelled.
    messages: Mapping[str, Promise]

    def check(self, value: Value) -> None:
        """Raise :class:`ClaimError` for a value no claim of this kind may hold."""
        raise NotImplementedError

    def enough_left(self, more: Value, total: Value) -> Q:
        """The items that can take ``more``, for a claim holding ``total`` afterwards."""
        raise NotImplementedError

    def left(self, item: Item | None) -> Value:
        """What ``item`` has left to take; raises when it takes no such claims at all."""
        raise NotImplementedError

    def show(self, value: Value, currency: str) -> str:
        return str(value)

    def announce(self, claim: Claim) -> None:
        """Tell the couple of a new claim, as far as this kind does."""

    def starting(self, item_id: int) -> dict[str, Any]:
        """What a new claim of this kind holds besides its value (e.g. how it is paid)."""
        return {}

    def frozen(self, claim: Any, action: str) -> Promise | None:
        """Why the guest may not ``action`` ("change", "cancel") this claim now, or None."""
        return None

    # The lifecycle -----------------------------------------------------------
    def _take(
        self,
        item_id: int,
        more: Value,
        total: Value,
        held: Value | None = None,
        registry_id: int | None = None,
    ) -> None:
        """Add ``more`` to the item's running total if that much is left.

        ``total`` is what the claim holds afterwards, ``held`` what it held
        before (None for a new claim). One conditional UPDATE (then the
        registry's version: ``registry_id``'s, if the caller knows it); when
        it matches no row nothing is written and :class:`NotAvailable` says
        what is left.
        """
        moves = {self.total: F(self.total) + more, "cache_version": F("cache_version") + 1}
        if Item.objects.filter(self.enough_left(more, total), pk=item_id).update(**moves):
            _bump_registry(item_id, registry_id)
            return
        item = Item.objects.filter(pk=item_id).first()
        left = self.left(item)
        currency = item.currency if item else ""
        params = {"left": self.show(left, currency), "most": self.show(left + (held or 0), currency)}
        if held is None:
            key = "not_enough_left" if left else "not_available"
        else:
            key = "not_enough_more" if left else "no_more"
        code = "not_enough_left" if left else "not_available"
        raise NotAvailable(self.messages[key], code=code, remaining=left, **params)

    def _locked(self, claim_id: int) -> Any:
        """The claim, its row locked until the transaction ends (always first: claim, item, registry)."""
        return self.model.objects.select_for_update().get(pk=claim_id)

    def _active(self, claim_id: int) -> Any:
        claim = self._locked(claim_id)
        if not claim.is_active:
            raise Cancelled(self.messages["cancelled"])
        return claim

    def send_mail(self, name: str, claim_id: int, claim: Any = None) -> None:
        """Queue the mail ``<kind>_<name>`` to the claim's guest (in the caller's transaction).

        A guest's mails about one claim wait ``WHISPER_GUEST_MAIL_COALESCE_SECONDS``
        and a newer one replaces a waiting one: reserve, change and mark bought
        within a few minutes make one mail with the latest state; if the
        confirmation was still waiting, that one mail is the confirmation.
        ``claim``: the claim as the caller holds it, its item and registry
        loaded (a new one), instead of reading it again.
        """
        if claim is None:
            claim = self.model.objects.select_related("item", "registry").get(pk=claim_id)
        registry = claim.registry or claim.item.registry  # (claims saved in bulk may lack their own)
        with translation.override(claim.language):  # the amount, written the guest's way
            context = self._mail_context(claim, registry)
        with registry.local_time():  # its dates on the couple's clock
            emails.send(
                f"{self.mail}_{name}",
                claim.guest_email,
                context,
                language=claim.language,
                coalesce_key=f"{self.mail}:{claim.pk}",
                # A confirmation is the first mail about its claim: nothing waits to be replaced.
                first=name == "confirmation",
                delay=settings.WHISPER_GUEST_MAIL_COALESCE_SECONDS,
                # A change keeps a waiting confirmation's words; a cancellation says it is cancelled.
                sticky=[f"{self.mail}_confirmation"] if name == "changed" else [],
            )

    def _mail_context(self, claim, registry: Registry) -> dict:
        return {
            self.mail: claim,
            "claim": claim,
            "item": claim.item,
            "registry": registry,
            "amount": self.show(getattr(claim, self.field), claim.item.currency if claim.item else ""),
            "manage_url": emails.absolute(claim.get_manage_url()),
            "not_me_url": emails.absolute(claim.get_not_me_url()),
            "registry_url": emails.absolute(registry.get_absolute_url()),
            # A mail never promises a link "until" a day that has passed.
            "valid_until": None if links_expired(registry) else registry.token_valid_until(),
        }

    def _refuse(self, item_id: int, guest_email: str, item: Item | None = None) -> Item | None:
        """Raise :class:`RegistryClosed` or :class:`AddressRefused` if no new claim may be taken.

        Returns the item with its registry (None if it is gone): ``item`` if
        the caller has it, else read here.
        """
        if item is None:
            item = Item.objects.select_related("registry").filter(pk=item_id).first()
        if item is not None and (refusal := closed(item.registry)):
            raise refusal
        since = timezone.now() - datetime.timedelta(days=1)
        suppressed, sent = emails.mail_standing.only()(guest_email, GUEST_MAILS, since)
        if suppressed:
            raise AddressRefused(email=guest_email, why=suppressed)
        if sent >= settings.WHISPER_GUEST_MAILS_PER_ADDRESS_PER_DAY:
            raise AddressRefused(TOO_MANY_MAILS, code="too_many_mails", email=guest_email)
        return item

    def _sent_before(self, item_id: int, guest_email: str, key: uuid.UUID | None) -> Any:
        """The claim the same form (``key``) already took, or None; refused if it took another one."""
        claim = self.model.objects.filter(idempotency_key=key).first() if key else None
        if claim is not None and (claim.item_id, claim.guest_email) != (item_id, guest_email):
            raise ClaimError(FORM_USED, code="form_used")
        return claim

    def take(
        self,
        item_id: int,
        value: Value,
        guest_name: str,
        guest_email: str,
        message: str = "",
        key: uuid.UUID | None = None,
        thank_you_address: str = "",
        language: str = settings.LANGUAGE_CODE,
        item: Item | None = None,
    ) -> Any:
        """Claim ``value`` of a visible item for a guest; mail them the manage link, tell the couple.

        ``key`` is the one-time key of the guest's form: sent again (a double
        tap, a reload), it returns the claim it took the first time, and
        nothing more is written or mailed. ``language`` is the one the guest
        used: their mails, now and later, speak it.

        Raises :class:`NotAvailable` (or :class:`Closed`)
        when less is left, :class:`RegistryClosed` after the registry's links
        expired, :class:`AddressRefused` for an address we may not mail,
        :class:`ClaimError` for a value this kind refuses. Nothing is written
        in these cases. ``item``: the item (``item_id``'s, with its registry)
        as the caller just read it, to spare reading it again.

        The form's key is looked up only when something stands in the way
        (a refusal, the unique key, nothing left): a new form, the usual
        case, costs no query for it.
        """
        self.check(value)
        try:
            item = self._refuse(item_id, guest_email, item)
        except ClaimError:
            if claim := self._sent_before(item_id, guest_email, key):
                return claim
            raise
        try:
            with transaction.atomic():
                self._take(item_id, value, total=value, registry_id=item and item.registry_id)
                claim = self.model(
                    item_id=item_id,
                    guest_name=guest_name,
                    guest_email=guest_email,
                    message=message,
                    thank_you_address=thank_you_address,
                    idempotency_key=key,
                    language=language,
                    **{self.field: value},
                    **self.starting(item_id),
                )
                if item is not None:  # (else Claim.save() reads them)
                    claim.item, claim.registry, claim.item_title = item, item.registry, item.title
                claim.save(force_insert=True)
                self.send_mail("confirmation", claim.pk, claim)
                self.announce(claim)
                if self.metric:
                    count(self.metric)
        except (IntegrityError, NotAvailable):
            # The same form, sent at the same moment, won: this transaction
            # waited for its row (item or key), rolled back, and finds its claim.
            if claim := self._sent_before(item_id, guest_email, key):
                return claim
            raise
        return claim

    def change(self, claim_id: int, value: Value) -> Any:
        """Change what a claim holds; only the difference is taken or given back.

        Raises :class:`NotAvailable` when more is asked than is left,
        :class:`Cancelled` for a cancelled claim, :class:`ClaimError` for a
        value this kind refuses. Nothing is written in any of these cases.
        """
        self.check(value)
        with transaction.atomic():
            claim = self._active(claim_id)
            held = getattr(claim, self.field)
            if value == held:
                return claim
            if why := self.frozen(claim, "change"):
                raise Settled(why)
            if value > held:
                self._take(claim.item_id, value - held, total=value, held=held)
            else:
                _touch(claim.item_id, **{self.total: F(self.total) - (held - value)})
            setattr(claim, self.field, value)
            claim.save(update_fields=[self.field, "updated_at"])
            self.send_mail("changed", claim.pk)
        return claim

    def cancel(self, claim_id: int) -> bool:
        """Cancel a claim and give what it held back to the item.

        Idempotent: the claim row is locked first, so cancelling twice (or
        twice at once) gives back once. True if this call cancelled it.
        """
        with transaction.atomic():
            claim = self._locked(claim_id)
            if not claim.is_active:
                return False
            if why := self.frozen(claim, "cancel"):
                raise Settled(why)
            claim.cancelled_at = timezone.now()
            claim.save(update_fields=["cancelled_at", "updated_at"])
            _touch(claim.item_id, **{self.total: F(self.total) - getattr(claim, self.field)})
            self.send_mail("cancelled", claim.pk)
        return True

    def gift_removed(self, item_id: int, *, deleted: bool) -> int:
        """The couple deleted (``deleted``) or hid a gift: mark its standing claims and mail each guest once.

        In the caller's transaction, before the gift goes: the claims are
        locked first (claim, item, registry). A deleted gift's claims are
        cancelled with it (what they held goes with the gift); a hidden
        gift's stay, so they stand again if the couple shows it. A claim
        already told is not mailed again. How many guests were told.
        """
        claims = list(
            self.model.objects.select_for_update()
            .active()
            .filter(item_id=item_id, removed_at__isnull=True)
            .order_by("pk")
        )
        now = timezone.now()
        for claim in claims:
            claim.removed_at = now
            fields = ["removed_at", "updated_at"]
            if deleted:
                claim.cancelled_at = now
                fields.append("cancelled_at")
            claim.save(update_fields=fields)
            self.send_mail("removed", claim.pk)
        return len(claims)

    def gift_restored(self, item_id: int) -> None:
        """The couple shows a hidden gift again: its standing claims are no longer "removed"."""
        self.model.objects.active().filter(item_id=item_id, removed_at__isnull=False).update(
            removed_at=None, updated_at=timezone.now()
        )

    def not_me(self, claim_id: int) -> bool:
        """The guest's address says "this wasn't me": cancel the claim and mail that address no more.

        Idempotent; True if this call cancelled the claim. The address is
        suppressed first, so not even the cancellation is mailed to it.
        """
        with transaction.atomic():
            claim = self.model.objects.get(pk=claim_id)
            emails.not_me.only()(claim.guest_email)
            try:
                return self.cancel(claim_id)
            except Settled:  # the money was sent: the claim stands, the address gets no more mail
                return False


class Units(ClaimKind):
    """Reservations: whole units of a gift, up to what is left (or a cap where any number is welcome)."""

    model = Reservation
    field, total, mail, page = "quantity", "reserved_count", "reservation", "reservations/reserve.html"
    messages = {
        "gone": _("“%(title)s” has already been reserved — thank you!"),
        "taken": _("Reserved! We've emailed you a link to manage it."),
        "changed": _("Done — your reservation is now for %(value)s."),
        "now_cancelled": _("Your reservation is cancelled. Thank you for letting the couple know."),
        "already_cancelled": _("This reservation was already cancelled."),
        "cancelled": _("This reservation was cancelled, so it can no longer be changed."),
        "invalid": _("Please choose a quantity of at least 1."),
        "over_cap": _("Please reserve at most %(cap)s at a time."),
        "not_available": _("Sorry — this gift is no longer available."),
        "not_enough_left": _("Sorry — only %(left)s left."),
        "not_enough_more": _("Sorry — only %(left)s more left, so you can hold at most %(most)s."),
        "no_more": _("Sorry — no more are left, so you can keep at most %(most)s."),
    }

    def check(self, value: Value) -> None:
        if value < 1:
            raise ClaimError(self.messages["invalid"], code="invalid_quantity")

    def enough_left(self, more: Value, total: Value) -> Q:
        # Units the couple received off the registry are no longer left; a
        # group gift takes pledges, never reservations.
        enough = Q(unlimited=False, reserved_count__lte=F("quantity") - F("received_elsewhere") - more)
        if total <= MAX_UNLIMITED_PER_RESERVATION:
            enough |= Q(unlimited=True)
        return enough & Q(hidden=False, group_gift=False)

    def left(self, item: Item | None) -> Value:
        if item is None or item.hidden or item.group_gift:
            return 0
        if item.unlimited:  # always room, so the cap refused it
            raise ClaimError(self.messages["over_cap"], code="over_cap", cap=MAX_UNLIMITED_PER_RESERVATION)
        return item.remaining()

    def announce(self, claim: Claim) -> None:
        # As the couple's notification preference and spoiler setting allow.
        signals.reservation_made(claim)

    def mark_bought(self, reservation_id: int, bought: bool = True) -> Reservation:
        """Record that the guest bought the gift (or, with ``bought=False``, not yet).

        Raises :class:`Cancelled` for a cancelled reservation. Marking a
        reservation as it already is changes nothing and sends no mail.
        """
        with transaction.atomic():
            reservation = self._active(reservation_id)
            if reservation.bought == bought:
                return reservation
            reservation.bought_at = timezone.now() if bought else None
            reservation.save(update_fields=["bought_at", "updated_at"])
            _touch(reservation.item_id)
            self.send_mail("changed", reservation.pk)
        return reservation


class Amounts(ClaimKind):
    """Contributions: an amount in whole cents toward a group gift or a fund.

    Up to what is left of the gift's price or the fund's target; a fund
    without a target takes any amount. No money passes through Whisper: the
    guest pays the couple through PayPal (to the couple's own address; the
    contribution waits for PayPal until a verified IPN marks it paid, see
    ``apps.reservations.funds``) or as the couple's own instructions say
    (``Registry.pledge_instructions``), shown once the guest has pledged.
    """

    model = Pledge
    field, total, mail, metric = "amount", "pledged_total", "pledge", "pledges"
    page, gifts, flag = "reservations/pledge.html", {"group_gift": True}, flags.GROUP_GIFTS
    messages = {
        "gone": _("“%(title)s” is fully funded — thank you!"),
        "taken": _("Thank you! We've emailed you a link to change or cancel your pledge."),
        "taken_paypal": _("One more step: pay your contribution on PayPal, straight to the couple."),
        "changed": _("Done — you now pledge %(value)s."),
        "now_cancelled": _("Your pledge is cancelled. Thank you for letting the couple know."),
        "already_cancelled": _("This pledge was already cancelled."),
        "cancelled": _("This pledge was cancelled, so it can no longer be changed."),
        "invalid": _("Please pledge an amount above zero, in whole cents (e.g. 25.50)."),
        "closed": _("Sorry — this gift no longer takes contributions."),
        "not_available": _("Sorry — this gift is fully funded already. Thank you!"),
        "not_enough_left": _("Sorry — only %(left)s left to contribute."),
        "not_enough_more": _(
            "Sorry — only %(left)s more left to contribute, so you can pledge at most %(most)s."
        ),
        "no_more": _("Sorry — nothing more is left to contribute, so you can pledge at most %(most)s."),
        "settled": _(
            "The couple has received this contribution, so it can no longer be changed or cancelled."
        ),
        "paypal_amount": _(
            "A contribution through PayPal keeps its amount: cancel it and give again for another amount."
        ),
    }

    def check(self, value: Value) -> None:
        if value <= 0 or value != value.quantize(CENT):
            raise ClaimError(self.messages["invalid"], code="invalid_amount")

    def enough_left(self, more: Value, total: Value) -> Q:
        within_price = Q(price__isnull=False, pledged_total__lte=F("price") - more)
        # A fund without a target takes any amount, up to what the column holds.
        no_target = untargeted_fund() & Q(pledged_total__lte=MAX_TOTAL - more)
        return (within_price | no_target) & Q(
            hidden=False, group_gift=True, received_elsewhere__lt=F("quantity")
        )

    def left(self, item: Item | None) -> Value:
        if item is None or item.hidden or not item.group_gift or not item.remaining():
            raise Closed(self.messages["closed"])
        if item.price is None:
            return MAX_TOTAL - item.pledged_total
        return item.left_to_pledge()

    def show(self, value: Value, currency: str) -> str:
        return money(value, currency)

    def starting(self, item_id: int) -> dict[str, Any]:
        registry = Registry.objects.filter(items__pk=item_id).first()
        if registry is not None and registry.takes_paypal:
            return {"status": Pledge.Status.AWAITING, "invoice": new_pledge_invoice()}
        return {}

    def frozen(self, claim: Any, action: str) -> Promise | None:
        if claim.settled:
            return self.messages["settled"]
        if action == "change" and claim.via_paypal:
            return self.messages["paypal_amount"]
        return None


UNITS, AMOUNTS = Units(), Amounts()
KINDS = {kind.mail: kind for kind in (UNITS, AMOUNTS)}
# The mails guests' actions send, counted against WHISPER_GUEST_MAILS_PER_ADDRESS_PER_DAY.
GUEST_MAILS = [f"{kind}_{name}" for kind in KINDS for name in ("confirmation", "changed", "cancelled")]

# The names callers outside this app know the reservation workflows by.
reserve, change_quantity, mark_bought, cancel = UNITS.take, UNITS.change, UNITS.mark_bought, UNITS.cancel
