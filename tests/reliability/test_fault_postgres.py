"""PostgreSQL restarted under load: requests in flight fail cleanly (a friendly 503), then all serve again.

Guests keep browsing and reserving through nginx while the isolated
PostgreSQL is restarted (``pg_ctl restart -m fast`` cuts every connection).
Gunicorn is not touched: its workers' connection pools must find their
broken connections and open new ones by themselves.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from .conftest import wait_for
from .guests import Guest, manage_token

pytestmark = [pytest.mark.stack, pytest.mark.timeout(300)]

THREADS = 6
BEFORE_SECONDS = 3
AFTER_SECONDS = 12
# Everything must serve again this soon after PostgreSQL is back.
RECOVERY_SECONDS = 5
FRIENDLY_503 = "Back in a moment"
# Django's own answers, past nginx's shared cache of guest pages (the loopback
# stack's nginx honours the benchmark's header; docs/caching.md).
DJANGO_ANSWERS = {"X-Bench-Edge": "bypass"}


@dataclass
class Answer:
    at: float
    kind: str
    status: int  # 0: no HTTP answer at all
    friendly: bool = True
    token: str | None = None


def _guest_loop(
    stack, seeded: dict, stop: threading.Event, answers: list[Answer], lock: threading.Lock
) -> None:
    slug, pk = seeded["slug"], seeded["pk"]
    guest = Guest(stack.url, timeout=40)
    turn = 0
    while not stop.is_set():
        turn += 1
        kind = ("browse", "form", "reserve")[turn % 3]
        try:
            if kind == "browse":
                response = guest.session.get(f"{stack.url}/r/{slug}/?bench-nocache=1", timeout=40)
            elif kind == "form":
                response = guest.session.get(f"{stack.url}/r/{slug}/items/{pk}/reserve/", timeout=40)
            else:
                token = guest.open_form(slug, pk)
                response = guest.post_reservation(slug, pk, token)
        except requests.HTTPError as exc:  # the form itself answered an error (a 503 while it is down)
            response = exc.response
        except (requests.RequestException, ValueError):
            response = None
        if response is None:
            answer = Answer(time.monotonic(), kind, 0, friendly=False)
        else:
            friendly = response.status_code != 503 or (
                FRIENDLY_503 in response.text
                and response.headers.get("Retry-After", "").isdigit()
                and "Traceback" not in response.text
            )
            answer = Answer(time.monotonic(), kind, response.status_code, friendly, manage_token(response))
        with lock:
            answers.append(answer)


def _ok(answer: Answer) -> bool:
    return answer.status == 200 or (answer.kind == "reserve" and answer.token is not None)


def test_postgres_restarted_under_load_requests_fail_cleanly_and_the_pools_reconnect(
    isolated_stack, figures, tmp_path: Path
):
    stack = isolated_stack
    seeded = stack.django("seed_item", unlimited=True)
    masters, workers = stack.web_masters(), stack.workers()
    answers: list[Answer] = []
    lock, stop = threading.Lock(), threading.Event()
    threads = [
        threading.Thread(target=_guest_loop, args=(stack, seeded, stop, answers, lock))
        for _ in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(BEFORE_SECONDS)
        restart_started = time.monotonic()
        stack.restart_postgres()
        restart_done = time.monotonic()
        time.sleep(AFTER_SECONDS)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)

    statuses = Counter(answer.status for answer in answers)
    failed = [answer for answer in answers if not _ok(answer)]
    # Nothing but answers and friendly 503s: no 500, no 502/504 from nginx, no dropped connection.
    assert set(statuses) <= {200, 302, 503}, statuses
    assert all(answer.friendly for answer in answers), "a 503 without the friendly page and Retry-After"
    before = [answer for answer in answers if answer.at < restart_started]
    assert before and all(_ok(answer) for answer in before), Counter(a.status for a in before)
    # Within a few seconds of PostgreSQL being back, everything serves again (gunicorn untouched).
    settled = [answer for answer in answers if answer.at > restart_done + RECOVERY_SECONDS]
    assert len(settled) > 20, f"too few requests after the restart: {len(settled)}"
    assert all(_ok(answer) for answer in settled), Counter((a.kind, a.status) for a in settled if not _ok(a))
    last_failure = max((answer.at for answer in failed), default=restart_done)
    assert stack.web_masters() == masters
    assert stack.workers() == workers, "gunicorn workers were replaced"
    assert wait_for(lambda: stack.get("/health/").status_code == 200, 10)

    # Every reservation a guest was told about is a row; the counter adds up.
    told = tmp_path / "told.txt"
    reserved = [answer for answer in answers if answer.token]
    told.write_text("".join(f"reserved {a.token} 1 unknown@guest.example\n" for a in reserved))
    audit = stack.django("audit", told=str(told), slugs=[seeded["slug"]])
    assert audit["lost"] == [] and audit["differing"] == [] and audit["counter_wrong"] == []

    figures(
        "PostgreSQL restarted under load",
        requests=len(answers),
        friendly_503=statuses[503],
        other_failures=len(failed) - statuses[503],
        server_errors_500=statuses[500],
        serving_again_after_s=round(max(last_failure - restart_done, 0), 1),
        restart_took_s=round(restart_done - restart_started, 1),
        reservations_told=len(reserved),
        rows=audit["rows"],
        lost=len(audit["lost"]),
        gunicorn_restarts=0,
    )


# Longer than the pool waits for a connection (DB_POOL_TIMEOUT, 10 s by default).
DOWN_SECONDS = 12
# The pools retry with a backoff that doubles (1, 2, 4, 8 s…): after an outage
# of DOWN_SECONDS the next attempt may be this far away.
DOWN_RECOVERY_SECONDS = 25


def test_postgres_down_longer_than_the_pool_waits_is_a_friendly_503_then_serves_again(
    isolated_stack, figures
):
    stack = isolated_stack
    seeded = stack.django("seed_item", unlimited=True)
    page = f"/r/{seeded['slug']}/?bench-nocache=1"
    # A guest's first look: nginx keeps the shared page (docs/caching.md).
    first = stack.get(page)
    assert first.status_code == 200 and first.headers["X-Cache-Status"] == "MISS"
    masters, workers = stack.web_masters(), stack.workers()

    stack.stop_postgres()
    down_at = time.monotonic()
    outage: Counter = Counter()
    answers = []
    while time.monotonic() - down_at < DOWN_SECONDS:
        # Django's own answer (the couple's, or a page nginx does not hold).
        response = stack.get(page, timeout=40, headers=DJANGO_ANSWERS)
        outage[response.status_code] += 1
        answers.append(response)
    # Meanwhile a guest without a session still gets the registry: nginx's copy,
    # as the page's stale-if-error allows.
    guest_view = stack.get(page, timeout=40)
    health = stack.get("/health/")
    stack.start("postgres")
    back_at = time.monotonic()

    assert set(outage) == {503}, outage
    for response in answers:
        assert FRIENDLY_503 in response.text and "Traceback" not in response.text
        assert response.headers["Retry-After"] == "5"
        assert response.headers["Server"] == "nginx"
    assert guest_view.status_code == 200, guest_view.status_code
    assert guest_view.headers["X-Cache-Status"] == "STALE"
    assert guest_view.text == first.text
    assert health.status_code == 503 and health.json()["checks"]["database"] == "error"

    serving = lambda: stack.get(page, headers=DJANGO_ANSWERS).status_code == 200  # noqa: E731
    assert wait_for(serving, DOWN_RECOVERY_SECONDS, interval=0.25)
    serving_after = time.monotonic() - back_at
    # Request after request, on both nodes (each worker has a pool of its own), with gunicorn untouched.
    after = Counter(stack.get(page, headers=DJANGO_ANSWERS).status_code for _ in range(4 * len(masters) * 2))
    assert after == Counter({200: 4 * len(masters) * 2}), after
    assert stack.web_masters() == masters
    assert stack.workers() == workers, "gunicorn workers were replaced"

    figures(
        "PostgreSQL down for 12 s",
        requests_while_down=outage.total(),
        friendly_503=outage[503],
        server_errors_500=outage[500],
        serving_again_after_s=round(serving_after, 1),
        gunicorn_restarts=0,
    )
