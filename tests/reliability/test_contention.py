"""100 guests post a reservation at the same instant for a gift with 5 left, over HTTP: exactly 5 get it.

Each guest has a session of their own and opened the form first (its CSRF
token); a barrier then releases all the POSTs at once, through nginx to both
gunicorn nodes and their workers.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from .guests import Guest, manage_token

pytestmark = [pytest.mark.stack, pytest.mark.timeout(300)]

GUESTS = 100
LEFT = 5
# What a guest who came too late reads (apps.reservations: the view's or the service's words).
TOO_LATE = ("no longer available", "has already been reserved", "Sorry — only")


def test_100_simultaneous_reservations_for_5_units_exactly_5_succeed(isolated_stack, figures):
    stack = isolated_stack
    seeded = stack.django("seed_item", quantity=8, reserved=8 - LEFT)
    slug, pk = seeded["slug"], seeded["pk"]
    before = stack.django("item_state", pk=pk)
    assert (before["reserved_count"], before["active_rows"]) == (8 - LEFT, 8 - LEFT)
    guests = [Guest(stack.url, timeout=120) for _ in range(GUESTS)]
    with ThreadPoolExecutor(16) as pool:
        tokens = list(pool.map(lambda guest: guest.open_form(slug, pk), guests))
    barrier = threading.Barrier(GUESTS)

    def post(n: int):
        barrier.wait(60)
        return guests[n].post_reservation(slug, pk, tokens[n])

    with ThreadPoolExecutor(GUESTS) as pool:
        answers = list(pool.map(post, range(GUESTS)))

    won = [n for n, answer in enumerate(answers) if manage_token(answer)]
    statuses = Counter(answer.status_code for answer in answers)
    assert not [code for code in statuses if code >= 500], statuses
    assert len(won) == LEFT, statuses
    # The others were told, in words, that it is gone (or how few are left); nobody got an error page.
    told_too_late = 0
    for n, answer in enumerate(answers):
        if n in won:
            continue
        page = guests[n].follow(answer) if answer.status_code == 302 else answer
        assert page.status_code == 200, page.status_code
        assert any(words in page.text for words in TOO_LATE), page.text[:2000]
        told_too_late += 1
    # Exactly 5 new rows, and the gift is full, not over.
    after = stack.django("item_state", pk=pk)
    assert after["rows"] - before["rows"] == LEFT
    assert after["reserved_count"] == after["active_units"] == after["quantity"] == 8

    figures(
        "100 simultaneous reservations, 5 left",
        posts=GUESTS,
        succeeded=len(won),
        told_too_late=told_too_late,
        server_errors=sum(n for code, n in statuses.items() if code >= 500),
        new_rows=after["rows"] - before["rows"],
        reserved=f"{after['reserved_count']} of {after['quantity']}",
    )
