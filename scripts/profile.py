"""Where the time of the benchmark's slow rows goes: per-request timings, queries, cProfile tops.

Runs in the loopback stack's environment (bench.settings, its database and
memcached), through Django's test client, so every request goes through the
whole middleware stack as under gunicorn, minus the network:

    export PG_PORT=… MEMCACHED_PORT=… REDIS_PORT=…
    scripts/services.sh up && scripts/stack.sh prepare
    scripts/stack.sh manage seed_demo --items 200
    scripts/stack.sh manage shell < scripts/profile.py

Rows (PROFILE_ROWS, a comma list; all by default): ``floor`` (bench's tiny
view), ``cold`` (the public page with every cached page and fragment
missing, as bench's registry_cold), ``dashboard`` (the demo couple's,
logged in), ``reserve`` (the reservation form posted, as bench/reserve.lua),
``middleware`` (µs per floor request through a WSGI handler: the whole
stack, Django's startproject middleware alone, and the stack without each one).
The demo registry gets up to 200 active reservations first (the dashboard
row of the benchmark). PROFILE_N requests per row (50), PROFILE_TOP lines
of each profile (15), sorted by PROFILE_SORT (``tottime``).
"""

import cProfile
import io
import os
import pstats
import re
import statistics
import time
import uuid

from django.db import connection
from django.test import Client

from apps.accounts.models import User
from apps.items.models import Item
from apps.registries.models import Registry
from apps.reservations.models import Reservation
from bench.views import DEFAULT_MIDDLEWARE

SLUG, EMAIL = "alex-and-sam", "demo@example.com"
N = int(os.environ.get("PROFILE_N", "50"))
TOP = int(os.environ.get("PROFILE_TOP", "15"))
SORT = os.environ.get("PROFILE_SORT", "tottime")
ROWS = [r for r in os.environ.get("PROFILE_ROWS", "floor,cold,dashboard,reserve,middleware").split(",") if r]
CLAIMS = 200


def ensure_claims(registry: Registry) -> None:
    """Up to ``CLAIMS`` active reservations on the demo registry, spread over its gifts."""
    have = Reservation.objects.active().filter(item__registry=registry).count()
    items = list(registry.items.visible().filter(group_gift=False, unlimited=True)) or []
    if have >= CLAIMS or not items:
        return
    new = [
        Reservation(
            item=items[n % len(items)],
            item_title=items[n % len(items)].title,
            registry=registry,
            guest_name=f"Profile guest {n}",
            guest_email=f"profile-{n}@example.com",
            message="See you there!" if n % 2 else "",
            quantity=1,
        )
        for n in range(CLAIMS - have)
    ]
    Reservation.objects.bulk_create(new)
    registry.bump_version()


def request_of(row: str):
    """A function making one request of ``row`` (and checking its status)."""
    if row == "floor":
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_BENCH_QUERIES="1")
        return lambda: _check(client.get("/bench/floor/"), 200)
    if row == "cold":
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_BENCH_QUERIES="1")
        return lambda: _check(client.get(f"/r/{SLUG}/", HTTP_X_BENCH_CACHE="bypass"), 200)
    if row == "dashboard":
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_BENCH_QUERIES="1")
        client.force_login(User.objects.get(email=EMAIL))
        return lambda: _check(client.get(f"/registries/{SLUG}/"), 200)
    if row == "reserve":
        item = Item.objects.visible().filter(registry__slug=SLUG, unlimited=True).first()
        client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1", HTTP_X_BENCH_QUERIES="1")
        path = f"/r/{SLUG}/items/{item.pk}/reserve/"
        page = client.get(path).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

        def post():
            n = uuid.uuid4().hex[:12]
            data = {
                "csrfmiddlewaretoken": token,
                "quantity": "1",
                "guest_name": "Bench Guest",
                "guest_email": f"bench-{n}@example.com",
                "message": "",
                "thank_you_address": "",
                "key": str(uuid.uuid4()),
            }
            _check(client.post(path, data, HTTP_REFERER="http://127.0.0.1" + path), 302)
            client.cookies.pop("messages", None)  # as wrk: the same cookies every time

        return post
    raise SystemExit(f"unknown row {row!r}")


LAST = {"queries": "?"}  # the SQL queries of the last request (bench's X-Bench-Queries)


def _check(response, status: int) -> None:
    LAST["queries"] = response.get("X-Bench-Queries", "?")
    if response.status_code != status:
        raise SystemExit(f"{response.status_code} instead of {status}: {response.content[:300]!r}")


def middleware_costs(n: int = 1000) -> None:
    """µs per floor request through a WSGI handler: the whole stack, bare, and the stack minus each one."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/bench/floor/",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_REAL_IP": "203.0.113.9",
        "HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
    }

    def cost(middleware: list[str]) -> float:
        with override_settings(MIDDLEWARE=middleware):
            handler = WSGIHandler()
            for _ in range(200):
                b"".join(handler(dict(environ), lambda status, headers: None))
            best = []
            for _ in range(5):
                started = time.process_time()
                for _ in range(n):
                    b"".join(handler(dict(environ), lambda status, headers: None))
                best.append((time.process_time() - started) / n * 1e6)
            return min(best)

    from django.conf import settings

    full = list(settings.MIDDLEWARE)
    whole, bare = cost(full), cost(DEFAULT_MIDDLEWARE)
    print(f"\n== middleware: whole stack {whole:.1f} µs, bare {bare:.1f} µs per floor request")
    for name in full:
        print(f"   {whole - cost([m for m in full if m != name]):6.1f} µs  {name}")


def main() -> None:
    registry = Registry.objects.get(slug=SLUG)
    ensure_claims(registry)
    print(
        f"profile: {registry.items.count()} gifts, "
        f"{Reservation.objects.active().filter(item__registry=registry).count()} active reservations"
    )
    for row in ROWS:
        if row == "middleware":
            middleware_costs()
            continue
        make = request_of(row)
        for _ in range(5):
            make()
        statements = []

        def note(execute, sql, params, many, context, statements=statements):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(note):
            make()
        queries = LAST["queries"]
        times, walls = [], []
        for _ in range(N):
            started, wall = (
                time.process_time(),
                time.perf_counter(),
            )  # this process's CPU: the machine is shared
            make()
            times.append((time.process_time() - started) * 1000)
            walls.append((time.perf_counter() - wall) * 1000)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(N):
            make()
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(SORT).print_stats(TOP)
        body = out.getvalue()
        body = body[body.find("   ncalls") :].rstrip()
        print(
            f"\n== {row}: median {statistics.median(times):.2f} ms, mean {statistics.mean(times):.2f} ms, "
            f"min {min(times):.2f} ms over {N} (CPU of this process; "
            f"wall median {statistics.median(walls):.2f} ms); {queries} queries"
        )
        if os.environ.get("PROFILE_SQL"):
            print("\n".join("   SQL " + sql[:160] for sql in statements))
        print(body)


main()
