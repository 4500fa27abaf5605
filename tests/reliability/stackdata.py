"""The reliability tests' data on their isolated stack: made and checked inside the stack's own Django.

The tests run in another process, with other settings (another database,
another ``SECRET_KEY``), so they call these functions through
``scripts/stack.sh manage shell`` (``IsolatedStack.django`` in ``conftest.py``):
each takes and returns plain JSON values. Reservations are made through the
real services, and the audit reads the manage tokens with the stack's key,
exactly as the site does.
"""

from __future__ import annotations

import datetime
import json
import sys
import uuid
from collections import Counter
from pathlib import Path

# The couples' password on the isolated stack (a throwaway database).
PASSWORD = "reliability-couple-pass"
# How many units each limited gift of a load registry wants, and how many
# gifts welcome any number.
LIMITED_QUANTITIES = (2, 3, 5, 8, 13)
UNLIMITED_ITEMS = 2


def run(name: str, arguments: str) -> None:
    """Call ``name(**json.loads(arguments))`` and print its JSON answer on the last line."""
    result = FUNCTIONS[name](**json.loads(arguments))
    sys.stdout.write("\n" + json.dumps(result) + "\n")


def _registry(label: str) -> tuple[object, object]:
    """A new public registry and its verified owner, both named after ``label``."""
    from apps.accounts.models import User
    from apps.registries.models import Registry

    suffix = uuid.uuid4().hex[:6]
    owner = User.objects.create_user(
        f"{label}-{suffix}@reliability.example", PASSWORD, name=label.title(), email_verified=True
    )
    registry = Registry.objects.create(
        slug=f"{label}-{suffix}",
        partner_one="Robin",
        partner_two=label.title(),
        event_date=datetime.date.today() + datetime.timedelta(days=60),
        privacy=Registry.Privacy.PUBLIC,
        spoilers=Registry.Spoilers.ALL,
    )
    registry.owners.add(owner)
    return registry, owner


def seed_load(registries: int) -> dict:
    """Registries for the load test, each with limited gifts and gifts where any number is welcome."""
    from apps.items.models import Item

    gifts = [(f"Lamp {n}", quantity, False) for n, quantity in enumerate(LIMITED_QUANTITIES, start=1)]
    gifts += [(f"Gift card {n}", 1, True) for n in range(1, UNLIMITED_ITEMS + 1)]
    seeded = []
    for n in range(registries):
        registry, owner = _registry(f"load{n}")
        items = [
            Item.objects.create(
                registry=registry,
                title=title,
                price="40.00",
                quantity=quantity,
                unlimited=unlimited,
                position=position,
            )
            for position, (title, quantity, unlimited) in enumerate(gifts, start=1)
        ]
        seeded.append(
            {
                "slug": registry.slug,
                "owner": owner.email,
                "password": PASSWORD,
                "items": [{"pk": item.pk, "unlimited": item.unlimited} for item in items],
            }
        )
    return {"registries": seeded}


def seed_item(quantity: int = 1, reserved: int = 0, unlimited: bool = False) -> dict:
    """A registry with one gift of which guests already reserved ``reserved`` units (through the services)."""
    from apps.items.models import Item
    from apps.reservations import services

    registry, owner = _registry("fault")
    item = Item.objects.create(
        registry=registry, title="Teapot", price="35.00", quantity=quantity, unlimited=unlimited
    )
    for n in range(reserved):
        services.reserve(item.pk, 1, f"Early guest {n}", f"early-{n}-{uuid.uuid4().hex[:6]}@guest.example")
    return {"slug": registry.slug, "pk": item.pk, "owner": owner.email, "password": PASSWORD}


def item_state(pk: int) -> dict:
    """An item's counters next to what its reservation rows add up to."""
    from django.db.models import Count, Sum

    from apps.items.models import Item
    from apps.reservations.models import Reservation

    item = Item.objects.get(pk=pk)
    active = Reservation.objects.active().filter(item=item).aggregate(rows=Count("pk"), units=Sum("quantity"))
    return {
        "quantity": item.quantity,
        "unlimited": item.unlimited,
        "reserved_count": item.reserved_count,
        "rows": Reservation.objects.filter(item=item).count(),
        "active_rows": active["rows"],
        "active_units": active["units"] or 0,
    }


def mail_status(emails: list[str]) -> dict:
    """Email address → the statuses of the outbox rows to it."""
    from apps.notifications.models import OutgoingMessage

    found: dict[str, list[str]] = {email: [] for email in emails}
    for to, status in OutgoingMessage.objects.filter(to__in=emails).values_list("to", "status"):
        found[to].append(status)
    return found


def audit(told: str, slugs: list[str]) -> dict:
    """Compare what the guests were told (the file ``told``) with the rows of the registries ``slugs``.

    ``told`` holds one line per answer the site gave a guest: ``reserved
    TOKEN QUANTITY EMAIL``, ``changed TOKEN QUANTITY`` or ``cancelled TOKEN``.
    Returns the figures: reservations told and rows, the told ones missing
    (lost), rows nobody was told of, rows whose quantity or state differs
    from the last answer, items over their quantity or whose counter is not
    the sum of their rows, and confirmations missing from the outbox.
    """
    from django.db.models import Sum

    from apps.items.models import Item
    from apps.notifications.models import OutgoingMessage
    from apps.reservations.models import Reservation

    expected: dict[int, dict] = {}
    emails: dict[int, str] = {}
    lines = Counter()
    for line in Path(told).read_text().splitlines() if Path(told).exists() else []:
        kind, token, *rest = line.split()
        lines[kind] += 1
        pk = Reservation.pk_from_token(token)
        if kind == "reserved":
            expected[pk] = {"quantity": int(rest[0]), "cancelled": False}
            emails[pk] = rest[1]
        elif kind == "changed":
            expected[pk]["quantity"] = int(rest[0])
        elif kind == "cancelled":
            expected[pk]["cancelled"] = True

    rows = {
        row["pk"]: row
        for row in Reservation.objects.filter(item__registry__slug__in=slugs).values(
            "pk", "quantity", "cancelled_at", "guest_email"
        )
    }
    differing = [
        pk
        for pk, want in expected.items()
        if pk in rows
        and (
            rows[pk]["quantity"] != want["quantity"]
            or (rows[pk]["cancelled_at"] is not None) != want["cancelled"]
        )
    ]
    items = Item.objects.filter(registry__slug__in=slugs).annotate(
        units=Sum("reservations__quantity", filter=_active())
    )
    over = [i.pk for i in items if not i.unlimited and i.reserved_count + i.received_elsewhere > i.quantity]
    counter_wrong = [i.pk for i in items if i.reserved_count != (i.units or 0)]
    confirmed = set(
        OutgoingMessage.objects.filter(
            template="reservation_confirmation", to__in=emails.values()
        ).values_list("to", flat=True)
    )
    return {
        "told": dict(lines),
        "told_reservations": len(expected),
        "rows": len(rows),
        "lost": sorted(set(expected) - set(rows)),
        "untold": sorted(set(rows) - set(expected)),
        "differing": differing,
        "items": len(items),
        "over_quantity": over,
        "counter_wrong": counter_wrong,
        "mail_missing": sorted(pk for pk, email in emails.items() if email not in confirmed),
    }


def _active():
    from django.db.models import Q

    return Q(reservations__cancelled_at__isnull=True)


FUNCTIONS = {
    "seed_load": seed_load,
    "seed_item": seed_item,
    "item_state": item_state,
    "mail_status": mail_status,
    "audit": audit,
}
