"""apps.registries.rows — web processes keep the registry rows they serve; PostgreSQL says when one changes.

On the real test database, with commits (the trigger's notifications are sent
only when a transaction commits) and a real listener thread on a connection
of its own.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.items import services as item_services
from apps.registries import rows
from apps.registries.models import Registry
from apps.registries.services import update_registry
from apps.reservations import services as reservations
from tests.caching.helpers import public_url

pytestmark = pytest.mark.django_db(transaction=True)


def _wait(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _counted(function, *args, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        result = function(*args, **kwargs)
    return result, len(queries)


@pytest.fixture
def board(settings):
    """This process's board, listening (as in a web process), stopped afterwards."""
    settings.WHISPER_LISTEN_FOR_REGISTRY_CHANGES = True
    started = rows.board()
    assert started is not None and started.wait_listening()
    yield started
    started.stop()
    rows._boards.pop(started.pid, None)


@pytest.fixture
def listener():
    """A plain connection listening on the trigger's channel."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as conn:
        conn.execute(f"LISTEN {rows.CHANNEL}")
        yield conn


def _heard(conn) -> list[str]:
    return [notify.payload for notify in conn.notifies(timeout=0.5)]


def test_every_committed_change_of_a_registry_row_is_announced_with_its_old_address(registry, listener):
    Registry.objects.filter(pk=registry.pk).update(location="Lisbon")
    assert _heard(listener) == ["alex-and-sam"]

    registry.slug = "sam-and-alex"
    update_registry(registry)  # a new address: the copies to drop are the old one's
    assert "alex-and-sam" in _heard(listener)

    Registry.objects.filter(pk=registry.pk).delete()
    assert _heard(listener) == ["sam-and-alex"]


def test_a_change_rolled_back_is_never_announced(registry, listener):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        Registry.objects.filter(pk=registry.pk).update(location="Nowhere")
        raise RuntimeError("changed my mind")

    assert _heard(listener) == []


def test_a_guest_gets_the_row_without_a_query_until_it_changes(registry, board):
    first, queries = _counted(rows.registry_or_404, registry.slug, shared=True)
    assert queries == 1 and first.cache_version == registry.cache_version

    again, queries = _counted(rows.registry_or_404, registry.slug, shared=True)
    assert queries == 0
    assert again is first  # one object for every guest request until the row changes
    assert (again.pk, again.cache_version) == (registry.pk, registry.cache_version)
    assert again.title == registry.title

    registry.bump_version()  # commits: PostgreSQL tells the listener
    assert _wait(lambda: board.get(registry.slug) is None)
    fresh, queries = _counted(rows.registry_or_404, registry.slug, shared=True)
    assert queries == 1 and fresh.cache_version == registry.cache_version + 1


def test_visitors_with_a_session_always_read_the_database(registry, board):
    rows.registry_or_404(registry.slug, shared=True)

    _, queries = _counted(rows.registry_or_404, registry.slug)

    assert queries == 1


def test_an_old_address_stops_working_as_soon_as_the_couple_changes_it(registry, board):
    rows.registry_or_404("alex-and-sam", shared=True)
    registry.slug = "sam-and-alex"
    update_registry(registry)

    assert _wait(lambda: board.get("alex-and-sam") is None)
    with pytest.raises(Http404):
        rows.registry_or_404("alex-and-sam", shared=True)
    assert rows.registry_or_404("sam-and-alex", shared=True).pk == registry.pk


def test_a_row_read_while_it_changed_is_not_kept(registry, board):
    generation = board.generation
    stale = Registry.objects.get(pk=registry.pk)  # what a request read just before the change committed
    board.forget(registry.slug)  # the change's notification arrives before the request stores it

    assert board.put(registry.slug, stale, generation) is False
    assert board.get(registry.slug) is None


def test_copies_are_dropped_while_the_listener_is_disconnected(registry, board):
    rows.registry_or_404(registry.slug, shared=True)
    assert board.get(registry.slug) is not None

    with connection.cursor() as cursor:  # what a PostgreSQL restart does to the listener
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [rows.APPLICATION_NAME],
        )
    assert _wait(lambda: not board.listening)
    _, queries = _counted(rows.registry_or_404, registry.slug, shared=True)
    assert queries == 1  # no copy is used meanwhile

    assert board.wait_listening()  # it connects again by itself
    rows.registry_or_404(registry.slug, shared=True)
    _, queries = _counted(rows.registry_or_404, registry.slug, shared=True)
    assert queries == 0


def test_the_public_page_and_its_304_cost_no_query_and_follow_every_change(registry, items, board):
    url = public_url(registry)
    guest = Client()
    guest.get(url)  # warms the row and the page
    warm = guest.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = guest.get(url)
        not_modified = guest.get(url, headers={"If-None-Match": warm["ETag"]})
    assert again.status_code == 200 and again.content == warm.content
    assert not_modified.status_code == 304
    assert len(queries) == 0

    reservations.reserve(items[0].pk, 1, "Pat", "pat@example.com")  # another guest, another process
    assert _wait(lambda: board.get(registry.slug) is None)
    changed = guest.get(url, headers={"If-None-Match": warm["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != warm["ETag"]
    assert "Reserved — thank you!" in changed.content.decode()

    item_services.set_hidden(items[1], True)
    assert _wait(lambda: board.get(registry.slug) is None)
    assert items[1].title not in guest.get(url).content.decode()


def test_nothing_listens_where_the_settings_say_so(settings):
    settings.WHISPER_LISTEN_FOR_REGISTRY_CHANGES = False
    assert rows.board() is None


def test_a_truncate_drops_every_copy(registry, board):
    rows.registry_or_404(registry.slug, shared=True)
    assert board.get(registry.slug) is not None

    with connection.cursor() as cursor:  # manage.py flush, a restore: no row triggers fire
        cursor.execute("TRUNCATE registries_registry CASCADE")

    assert _wait(lambda: board.get(registry.slug) is None)
    with pytest.raises(Http404):
        rows.registry_or_404(registry.slug, shared=True)


def test_a_listener_whose_connection_stopped_answering_is_not_trusted(board):
    # A peer gone without a word: no error, no notification, until a ping fails.
    now = time.monotonic()
    assert board.trusted(now)
    assert not board.trusted(board.alive_at + 3 * rows.PING_SECONDS)
