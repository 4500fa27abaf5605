"""memcached killed under the isolated stack: pages render from the database; caching resumes after."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from .conftest import wait_for
from .guests import Guest, manage_token

pytestmark = [pytest.mark.stack, pytest.mark.timeout(300)]


def _pages(seeded: dict) -> list[str]:
    slug, pk = seeded["slug"], seeded["pk"]
    return [
        "/",
        "/pricing/",
        "/faq/",
        f"/r/{slug}/",
        f"/r/{slug}/?available=on&sort=price",
        f"/r/{slug}/items/{pk}/reserve/",
    ]


# Django's own answers, past nginx's shared cache of guest pages: this is about
# Django's caches (the loopback stack's nginx honours the benchmark's header).
DJANGO_ANSWERS = {"X-Bench-Edge": "bypass"}


def _timed_statuses(stack, pages: list[str], rounds: int) -> tuple[Counter, float]:
    statuses: Counter = Counter()
    started = time.perf_counter()
    for _ in range(rounds):
        for page in pages:
            statuses[stack.get(page, headers=DJANGO_ANSWERS).status_code] += 1
    return statuses, (time.perf_counter() - started) / (rounds * len(pages))


def test_memcached_killed_pages_render_from_the_database_and_caching_resumes(isolated_stack, figures):
    stack = isolated_stack
    seeded = stack.django("seed_item", quantity=50)
    pages = _pages(seeded)
    warm, warm_seconds = _timed_statuses(stack, pages, rounds=3)
    assert set(warm) == {200}, warm

    stack.kill("memcached")

    down, down_seconds = _timed_statuses(stack, pages, rounds=5)
    assert set(down) == {200}, f"pages failed without memcached: {down}"
    # A guest can still reserve (the session, CSRF and fragment cache all fall back).
    guest = Guest(stack.url)
    reserved = guest.reserve(seeded["slug"], seeded["pk"])
    assert manage_token(reserved), (reserved.status_code, reserved.headers.get("Location"))
    assert guest.follow(reserved).status_code == 200
    health = stack.get("/health/")
    assert health.status_code == 503
    report = health.json()
    assert report["checks"] == {"database": "ok", "cache": "error", "broker": "ok", "storage": "ok"}
    assert "cache" in report["errors"]

    stack.start("memcached")

    outage_over = time.monotonic()
    assert wait_for(lambda: stack.get("/health/").status_code == 200, 60), stack.get("/health/").text
    recovered_in = time.monotonic() - outage_over
    # Caching resumes: pages are stored again, and served from memcached.
    before = stack.memcached_stats()
    back, _ = _timed_statuses(stack, pages, rounds=3)
    # Two lists no one asked for yet, so both are rendered whatever each web process holds
    # in its own memory: the second takes the gift's card the first stored in memcached.
    slug = seeded["slug"]
    fresh = [stack.get(f"/r/{slug}/?sort={sort}", headers=DJANGO_ANSWERS) for sort in ("priority", "-price")]
    after = stack.memcached_stats()
    assert set(back) == {200}, back
    assert [r.status_code for r in fresh] == [200, 200]
    assert after["curr_items"] > 0
    assert after["get_hits"] > before["get_hits"]
    assert stack.django("item_state", pk=seeded["pk"])["active_rows"] == 1

    figures(
        "memcached killed",
        requests_while_down=sum(down.values()),
        server_errors=sum(n for code, n in down.items() if code >= 500),
        ms_per_page_warm=round(warm_seconds * 1000),
        ms_per_page_down=round(down_seconds * 1000),
        health_back_after_s=round(recovered_in, 1),
        cache_hits_after=after["get_hits"] - before["get_hits"],
    )
