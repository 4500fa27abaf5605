"""Redis (the broker) killed under the isolated stack: reservations succeed; their mail goes out after."""

from __future__ import annotations

import time

import pytest

from .conftest import wait_for
from .guests import Guest, manage_token

pytestmark = [pytest.mark.stack, pytest.mark.timeout(300)]

GUESTS = 5


def test_redis_killed_reservations_succeed_and_their_mail_goes_out_once_it_is_back(isolated_stack, figures):
    stack = isolated_stack
    seeded = stack.django("seed_item", unlimited=True)
    guests = [Guest(stack.url) for _ in range(GUESTS)]

    stack.kill("redis")

    slowest = 0.0
    for guest in guests:
        started = time.perf_counter()
        response = guest.reserve(seeded["slug"], seeded["pk"])
        slowest = max(slowest, time.perf_counter() - started)
        assert manage_token(response), (response.status_code, response.text[:500])
        page = guest.follow(response)
        assert page.status_code == 200
        assert "Reserved!" in page.text
    health = stack.get("/health/")
    assert health.status_code == 503
    assert health.json()["checks"]["broker"] == "error"
    # The reservations and their mails are rows, waiting for a change that would replace them.
    assert stack.django("item_state", pk=seeded["pk"])["active_rows"] == GUESTS
    emails = [guest.email for guest in guests]
    assert stack.django("mail_status", emails=emails) == {email: ["waiting"] for email in emails}
    assert not any(stack.postmark.delivered(email) for email in emails)

    stack.start("redis")

    back = time.monotonic()
    assert wait_for(lambda: all(stack.postmark.delivered(email) for email in emails), 150, interval=0.5), (
        stack.django("mail_status", emails=emails)
    )
    delivered_after = time.monotonic() - back
    # Each guest got their confirmation exactly once, and the outbox says so.
    assert [len(stack.postmark.delivered(email)) for email in emails] == [1] * GUESTS
    assert stack.django("mail_status", emails=emails) == {email: ["sent"] for email in emails}
    assert wait_for(lambda: stack.get("/health/").status_code == 200, 30)

    figures(
        "Redis killed",
        reservations_while_down=GUESTS,
        failed=0,
        slowest_reservation_s=round(slowest, 2),
        mails_delivered_after_redis_back_s=round(delivered_after, 1),
        duplicates=0,
    )
