"""``count()``: daily counters that add up, even under concurrency."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.metrics.api import count
from apps.metrics.models import Counter


@pytest.mark.django_db
def test_counts_add_up_per_day_and_name(counted, django_capture_on_commit_callbacks):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        count("signups")
        count("signups")
        count("signups", 3)
        count("revenue", 1500)
        count("revenue", -500)  # a refund
        count("signups", day=yesterday)

    assert counted("signups") == 5
    assert counted("revenue") == 1000
    assert counted("signups", yesterday) == 1
    assert Counter.objects.count() == 3


@pytest.mark.django_db
def test_nothing_is_counted_before_the_transaction_commits(counted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count("items")

    assert counted("items") == 0
    assert len(callbacks) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rolled_back_work_is_not_counted(counted):
    with pytest.raises(RuntimeError), transaction.atomic():
        count("reservations")
        raise RuntimeError("the reservation failed")

    count("reservations")  # outside a transaction: at once

    assert counted("reservations") == 1


@pytest.mark.parametrize("name", ["", "Signups", "sign ups", "x" * 65, "1st", None])
def test_a_bad_name_is_refused(name):
    with pytest.raises(ValueError, match="metric names"):
        count(name)


@pytest.mark.parametrize("n", [1.5, "2", True, None])
def test_a_bad_amount_is_refused(n):
    with pytest.raises(TypeError):
        count("signups", n)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_increment_is_lost_under_concurrency(counted):
    """20 threads × 50 increments, started together, make exactly 1000."""
    start = threading.Barrier(20)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            for _ in range(50):
                count("reservations")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert counted("reservations") == 1000
    assert Counter.objects.filter(name="reservations").count() == 1


class _Broken:
    def count(self, name, n, day):
        raise ConnectionError("statsd is down")


@pytest.mark.django_db
def test_a_failing_backend_neither_breaks_the_caller_nor_the_others(
    settings, counted, django_capture_on_commit_callbacks, caplog
):
    settings.METRICS_BACKENDS = ["tests.metrics.test_api._Broken", "apps.metrics.backends.DatabaseBackend"]

    with django_capture_on_commit_callbacks(execute=True):
        count("upgrades")

    assert counted("upgrades") == 1
    assert "_Broken failed to count upgrades" in caplog.text
