"""Fixtures of the metrics tests.

The transactional tests (threads, rollbacks) use ``serialized_rollback=True``:
they start from the migrated data and, flushing without
re-creating content types, do not trip the serialized tests that follow.
"""

from __future__ import annotations

import datetime

import pytest

from apps.metrics.models import Counter


@pytest.fixture
def counted():
    """The value of a counter (today by default), 0 when there is no row."""

    def value(name: str, day: datetime.date | None = None) -> int:
        from django.utils import timezone

        row = Counter.objects.filter(name=name, day=day or timezone.localdate()).first()
        return row.value if row else 0

    return value


@pytest.fixture
def staff(db):
    from tests.factories import UserFactory

    return UserFactory(email="ops@example.com", name="Ops", is_staff=True)
