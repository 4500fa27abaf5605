"""Helpers for the tests of group gifts, pledges, gifts bought elsewhere,
two owners and the importer's pages (plain functions: several test folders use them).
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from urllib.parse import urlsplit

from waffle.models import Flag

from apps.items.models import Item
from apps.payments.models import Order, Plan
from tests.factories import ItemFactory
from tests.plan_rows import create_plans

_LINK = re.compile(r"https?://\S+")


def upgrade(registry, user=None) -> Order:
    """Put ``registry`` on Premium (a paid order), as a verified IPN would.

    The plans are re-created first: a transactional test elsewhere may have flushed them.
    """
    create_plans()
    return Order.objects.create(
        registry=registry,
        plan=Plan.objects.get(slug="premium"),
        created_by=user,
        amount=Decimal("39.00"),
        currency="USD",
        status=Order.Status.PAID,
        txn_id=uuid.uuid4().hex[:17].upper(),
    )


def switch_off(name: str, capture_on_commit) -> None:
    """Turn the feature flag ``name`` off for everyone (waffle forgets its cached copy on commit)."""
    with capture_on_commit(execute=True):
        flag, _ = Flag.objects.get_or_create(name=name)
        flag.everyone = False
        flag.save()


def group_gift(registry, price: str = "300.00", **fields) -> Item:
    """A group gift on ``registry`` (made directly: the services' plan check is tested on its own)."""
    return ItemFactory(registry=registry, group_gift=True, price=Decimal(price), **fields)


def link_paths(message, query: bool = False) -> list[str]:
    """The paths of the links in a mail's text body (what its reader would click), with ``query``
    their query strings too."""
    parts = [urlsplit(url) for url in _LINK.findall(message.body)]
    return [f"{p.path}?{p.query}" if query and p.query else p.path for p in parts]
