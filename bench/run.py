"""The benchmark behind ``make bench``: Whisper's real stack under load, row by row.

It starts the services (scripts/services.sh) and the stack (scripts/stack.sh:
nginx → gunicorn running bench.wsgi, celery, with bench.settings), seeds the demo
registry (``seed_demo --items 200``), warms each page, then drives it with
``wrk --latency`` through nginx on loopback and records requests/s, p50 and
p99 latency, the ratio to the floor (the cheapest Django response) and the
SQL queries one request takes. Last, the ``mixed`` row: the reliability
suite's guests and couples (tests/reliability/locustfile.py) under locust.
It prints a table and writes ``bench/results/latest.json`` and
``docs/benchmark.md`` (the README links it; the run before stays there
under its own heading); the stack is stopped afterwards, whatever happens.

A row whose page does not exist yet (or misbehaves) prints "n/a" and is
``null`` in the JSON. Knobs (environment): BENCH_DURATION (seconds per row,
10), BENCH_CONNECTIONS (16), BENCH_THREADS (2), BENCH_WARMUP (requests per
row first, 10), BENCH_ITEMS (200), BENCH_MIXED_USERS (40), BENCH_MIXED_DURATION
(BENCH_DURATION), BENCH_ROWS (a comma list: measure only these rows, and the
floor; the others print "n/a"), BENCH_KEEP_STACK=1 (leave it running), and
the stack's own (NGINX_PORT, GUNICORN_PORTS, WEB_CONCURRENCY, STACK_WSGI, ...).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlparse

import redis
import requests
from bs4 import BeautifulSoup
from helpers import (  # bench/helpers.py
    as_wrk,
    env_int,
    form_fields,
    machine,
    markdown,
    mixed_line,
    parse_locust,
    parse_wrk,
    wrk_version,
)

ROOT = Path(__file__).resolve().parent.parent
STACK = ROOT / "scripts" / "stack.sh"
SERVICES = ROOT / "scripts" / "services.sh"
RESERVED_PORTS = ROOT / "scripts" / "reserved-ports.sh"
RESULTS = ROOT / "bench" / "results" / "latest.json"
REPORT = ROOT / "docs" / "benchmark.md"
RESERVE_LUA = ROOT / "bench" / "reserve.lua"
LOCUSTFILE = ROOT / "tests" / "reliability" / "locustfile.py"
LOCUST = Path(sys.executable).parent / "locust"

SLUG = "alex-and-sam"  # the demo registry (DESIGN.md contract)
DEMO_EMAIL, DEMO_PASSWORD = "demo@example.com", "whisper-demo"
# The table's order. "reserve" is the last row Django answers: the mail tasks
# it queues keep the celery worker busy for a while.
ROW_NAMES = (
    "floor",
    "floor_no_timelog",
    "bare",
    "registry_warm",
    "registry_warm_gzip",
    "registry_cold",
    "registry_304",
    "dashboard",
    "reserve",
    "registry_edge",
    "static",
    "thumbnail",
    "mixed",
)
# Pages nginx serves alone first. Then the rows Django answers, in the
# table's order, each between two runs of the floor: its ratio is to the mean
# of those two, so that the machine's drift during the run (other tenants,
# CPU clocks) cancels out. "mixed" (locust) last of all: it writes.
NGINX_ROWS = ("static", "thumbnail", "registry_edge")
MIXED = "mixed"
DJANGO_ROWS = tuple(name for name in ROW_NAMES if name not in ("floor", *NGINX_ROWS, MIXED))
STATIC_SAMPLE = "/static/bench/sample-20k.txt"
BARE_PATH = "/bench/bare/"  # bench.views.BARE_PATH, answered by bench/wsgi.py
QUERIES_HEADER = "X-Bench-Queries"  # bench.views
BYPASS = {"X-Bench-Cache": "bypass"}
# Every row Django must answer skips nginx's shared cache (the stack's nginx
# config honours this header; before it caches anything it changes nothing).
EDGE_BYPASS = {"X-Bench-Edge": "bypass"}
# registry_edge: as browsers ask for the guest page (no cookies), answered
# from nginx's cache, which says so in X-Cache-Status.
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}
CACHE_STATUS = "X-Cache-Status"
FROM_CACHE = ("HIT", "STALE", "UPDATING", "REVALIDATED")
NO_TIMELOG = {"X-Bench-Timelog": "off"}
GZIP = {"Accept-Encoding": "gzip"}  # honoured by the bench settings only
BENCH_GUEST = "Bench Guest"


DURATION = env_int("BENCH_DURATION", 10, 1, 120)
CONNECTIONS = env_int("BENCH_CONNECTIONS", 16, 1, 256)
THREADS = env_int("BENCH_THREADS", 2, 1, 8)
WARMUP = env_int("BENCH_WARMUP", 10, 0, 1000)
ITEMS = env_int("BENCH_ITEMS", 200, 1, 10_000)
# The mixed row: the reliability suite's load (tests/reliability/test_load.py), bounded by BENCH_DURATION.
MIXED_USERS = env_int("BENCH_MIXED_USERS", 40, 1, 200)
MIXED_DURATION = env_int("BENCH_MIXED_DURATION", DURATION, 1, 300)
MIXED_SPAWN_RATE = 20
MIXED_REGISTRIES = 4
NGINX_PORT = env_int("NGINX_PORT", 58080, 1, 65535)
BASE = f"http://127.0.0.1:{NGINX_PORT}"
ONLY = {name.strip() for name in os.environ.get("BENCH_ROWS", "").split(",") if name.strip()}


@dataclass
class Row:
    """One line of the table: what wrk requests, and what came out."""

    name: str
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    script: Path | None = None
    script_env: dict[str, str] = field(default_factory=dict)
    queries: int | None = None
    note: str = ""  # why the row is n/a
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    ratio_to_floor: float | None = None
    floor_rps: float | None = None  # the floor's requests/s around this row (its ratio's base)
    ran: bool = False  # wrk was started on it
    expect: int = 200  # the status its requests must get (304: revalidated with a current ETag)
    edge: bool = False  # must be answered from nginx's cache (X-Cache-Status)
    # The mixed row (locust): no query count, and more figures.
    load: bool = False
    p95_ms: float | None = None
    requests: int | None = None
    failures: int | None = None

    def skip(self, note: str) -> Row:
        self.note = note
        return self

    def as_json(self) -> dict:
        shown = {
            "name": self.name,
            "rps": self.rps,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "ratio_to_floor": self.ratio_to_floor,
            "queries": self.queries,
        }
        if self.load:
            shown.update(p95_ms=self.p95_ms, requests=self.requests, failures=self.failures)
        if self.rps is None and self.note:
            shown["note"] = self.note
        return shown


def django_row(name: str, path: str, headers: dict[str, str] | None = None, **kwargs) -> Row:
    """A row Django must answer: its requests skip nginx's cache (``EDGE_BYPASS``)."""
    return Row(name, path, {**(headers or {}), **EDGE_BYPASS}, **kwargs)


def wrk(row: Row) -> dict:
    """Drive ``row`` with wrk through nginx on loopback; its parsed summary."""
    url = BASE + row.path
    if urlparse(url).hostname != "127.0.0.1":  # never load anything but this machine
        raise ValueError(f"refusing to load {url}")
    cmd = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--timeout", "5s", "--latency"]
    for name, value in row.headers.items():
        cmd += ["-H", f"{name}: {value}"]
    if row.script:
        cmd += ["-s", str(row.script)]
    cmd.append(url)
    out = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=DURATION + 60,
        env={**os.environ, **row.script_env},
        check=True,
    )
    return parse_wrk(out.stdout)


# The machine and the stack ----------------------------------------------
def sh(*cmd: str | Path, check: bool = True, quiet: bool = False) -> subprocess.CompletedProcess:
    """Run a project script from the checkout, its output shown unless ``quiet``."""
    return subprocess.run(
        [str(c) for c in cmd], cwd=ROOT, check=check, text=True, capture_output=quiet, timeout=600
    )


def manage(*args: str) -> subprocess.CompletedProcess:
    """manage.py with the stack's settings and database (scripts/stack.sh manage)."""
    return sh(STACK, "manage", *args, check=False, quiet=True)


def manage_json(code: str) -> object:
    """Run ``code`` in ``manage.py shell``; the JSON it prints last."""
    done = manage("shell", "-c", code)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "shell failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def seed() -> None:
    print(f"bench: seeding the demo registry (seed_demo --items {ITEMS})")
    done = manage("seed_demo", "--items", str(ITEMS))
    if done.returncode == 0:
        print("bench: " + (done.stdout.strip().splitlines() or ["seeded"])[-1])
    elif "Unknown command" in done.stderr:
        print("bench: NOTE: manage.py seed_demo does not exist yet; pages that need demo data show n/a")
    else:
        print("bench: NOTE: seed_demo failed; pages that need demo data show n/a\n" + done.stderr[-2000:])


# Finding the pages --------------------------------------------------------
def session() -> requests.Session:
    """A client of the Django rows: like wrk, no compression; never answered by nginx's cache."""
    s = requests.Session()
    # Like wrk: no compression, so ETags and sizes are the ones wrk sees.
    s.headers["Accept-Encoding"] = "identity"
    s.headers.update(EDGE_BYPASS)
    return s


def queries_of(response: requests.Response) -> int | None:
    raw = response.headers.get(QUERIES_HEADER)
    return int(raw) if raw and raw.isdigit() else None


def probe(s: requests.Session, row: Row, expect: int = 200, method: str = "GET", **kwargs) -> Row:
    """Request ``row`` once (asking for its query count); n/a unless it answers ``expect``."""
    headers = as_wrk({**row.headers, QUERIES_HEADER: "1"})
    r = s.request(method, BASE + row.path, headers=headers, allow_redirects=False, timeout=30, **kwargs)
    if r.status_code != expect:
        return row.skip(f"{method} {row.path} answered {r.status_code}, not {expect}")
    row.queries = queries_of(r)
    return row


def log_in(s: requests.Session) -> str:
    """Log in as the demo couple through the login form; '' on success, else why not."""
    r = s.get(f"{BASE}/accounts/login/", timeout=30)
    if r.status_code != 200:
        return f"the login page answered {r.status_code}"
    form = next(
        (f for f in BeautifulSoup(r.text, "html.parser").find_all("form") if f.find(type="password")), None
    )
    if form is None:
        return "no login form on /accounts/login/"
    data = form_fields(form, {"password": DEMO_PASSWORD, "email": DEMO_EMAIL, "username": DEMO_EMAIL})
    action = urljoin(r.url, form.get("action") or r.url)
    r = s.post(action, data=data, headers={"Referer": r.url}, allow_redirects=False, timeout=30)
    if "sessionid" not in s.cookies:
        return f"logging in as {DEMO_EMAIL} did not work (status {r.status_code})"
    return ""


def cookie_header(s: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in s.cookies)


def prepare_rows() -> dict[str, Row]:
    """Every row, probed once: the ones that can't be measured carry a note."""
    guest = session()
    rows = {name: Row(name) for name in ROW_NAMES}
    rows["floor"] = probe(guest, django_row("floor", "/bench/floor/"))
    # The same without the timelog middleware (bench.views.SkippableTimelogMiddleware).
    rows["floor_no_timelog"] = probe(guest, django_row("floor_no_timelog", "/bench/floor/", NO_TIMELOG))
    rows["bare"] = prepare_bare(guest)

    page = f"/r/{SLUG}/"
    r = guest.get(BASE + page, timeout=30)
    have_page = r.status_code == 200
    why = f"GET {page} answered {r.status_code}"
    for _ in range(WARMUP):  # fill the caches before counting the warm page's queries
        guest.get(BASE + page, timeout=30)
    rows["registry_warm"] = (
        probe(guest, django_row("registry_warm", page)) if have_page else Row("registry_warm", page, note=why)
    )
    # As browsers ask for it (every one accepts gzip): the stored, compressed copy.
    rows["registry_warm_gzip"] = (
        probe(guest, django_row("registry_warm_gzip", page, GZIP))
        if have_page
        else Row("registry_warm_gzip", page, note=why)
    )
    rows["registry_cold"] = (
        probe(guest, django_row("registry_cold", page, BYPASS))
        if have_page
        else Row("registry_cold", page, note=why)
    )
    etag = r.headers.get("ETag") if have_page else None
    if not have_page:
        rows["registry_304"] = Row("registry_304", page, note=why)
    elif not etag:
        rows["registry_304"] = Row("registry_304", page, note="the page sends no ETag yet")
    else:
        # As a browser revalidates: gzip accepted (the tag is the gzipped page's), with the
        # guest's cookies (the ETag of a page with a CSRF token covers the CSRF cookie).
        revalidate = {**GZIP, "If-None-Match": etag, "Cookie": cookie_header(guest)}
        row = django_row("registry_304", page, revalidate, expect=304)
        current_status(row)  # (the tag as it is now: the seeded reservations' mails change the page)
        rows["registry_304"] = probe(guest, row, expect=304)
    # The guest page through nginx's shared cache (measure() checks it is served from there).
    rows["registry_edge"] = (
        Row("registry_edge", page, dict(BROWSER), queries=0, edge=True)
        if have_page
        else Row("registry_edge", page, note=why)
    )

    owner = session()
    not_logged_in = log_in(owner)
    dashboard = f"/registries/{SLUG}/"
    if not_logged_in:
        rows["dashboard"] = Row("dashboard", dashboard, note=not_logged_in)
    else:
        rows["dashboard"] = probe(owner, django_row("dashboard", dashboard, {"Cookie": cookie_header(owner)}))

    rows["static"] = Row("static", STATIC_SAMPLE, queries=0)
    if guest.get(BASE + STATIC_SAMPLE, timeout=30).status_code != 200:
        rows["static"].skip(f"{STATIC_SAMPLE} is not served")

    thumbs = []
    if have_page:
        soup = BeautifulSoup(r.text, "html.parser")
        thumbs = [img["src"] for img in soup.find_all("img", src=True) if img["src"].startswith("/media/")]
        thumbs.sort(key=lambda src: not src.startswith("/media/cache/"))  # sorl's thumbnails first
    rows["thumbnail"] = Row("thumbnail", thumbs[0] if thumbs else "", queries=0)
    if not thumbs:
        rows["thumbnail"].skip("the public page shows no image from /media/" if have_page else why)
    elif guest.get(BASE + thumbs[0], timeout=30).status_code != 200:
        rows["thumbnail"].skip(f"{thumbs[0]} is not served")

    rows["reserve"] = prepare_reserve() if have_page else Row("reserve", note=why)
    rows[MIXED] = Row(MIXED, "/", load=True)
    if not LOCUST.exists():
        rows[MIXED].skip(f"{LOCUST} is missing (requirements-dev.txt: locust)")
    return rows


def prepare_bare(guest: requests.Session) -> Row:
    """The bare row: /bench/bare/, which must come through Django's default middleware only.

    If gunicorn runs the site's app instead of bench.wsgi, the site answers
    it with all its middleware: the headers that middleware adds (CSP, …)
    give it away, and the row is n/a.
    """
    row = probe(guest, django_row("bare", BARE_PATH))
    if row.note:
        return row
    floor = guest.get(BASE + "/bench/floor/", timeout=30).headers
    bare = guest.get(BASE + BARE_PATH, timeout=30).headers
    only_floor = sorted(set(floor) - set(bare), key=str.lower)
    if not only_floor:
        return row.skip(
            f"{BARE_PATH} came through Whisper's middleware (the floor's headers): "
            "gunicorn is not running bench.wsgi (STACK_WSGI)"
        )
    print(f"bench: bare: headers only the floor has: {', '.join(only_floor)}")
    return row


def prepare_reserve() -> Row:
    """The reserve row: the form of an unlimited gift, posted by wrk (bench/reserve.lua)."""
    try:
        pk = manage_json(
            "import json; from apps.items.models import Item; "
            f"i = Item.objects.visible().filter(registry__slug={SLUG!r}, unlimited=True).first(); "
            "print(json.dumps(i.pk if i else None))"
        )
    except (RuntimeError, ValueError) as exc:
        return Row("reserve", note=f"could not look for an unlimited gift ({exc})")
    if pk is None:
        return Row("reserve", note="the demo registry has no unlimited gift to reserve")
    path = f"/r/{SLUG}/items/{pk}/reserve/"
    guest = session()
    r = guest.get(BASE + path, timeout=30)
    if r.status_code != 200:
        return Row("reserve", path, note=f"GET {path} answered {r.status_code}")
    forms = BeautifulSoup(r.text, "html.parser").find_all("form")
    form = next((f for f in forms if f.find(attrs={"name": re.compile("email")})), None)
    if form is None:
        return Row("reserve", path, note=f"no reservation form on {path}")
    fields = form_fields(
        form, {"email": "bench-BENCHSEQ@example.com", "name": BENCH_GUEST, "message": "", "quantity": "1"}
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookie_header(guest),
        "Referer": BASE + path,
    }
    row = django_row(
        "reserve", path, headers, script=RESERVE_LUA, script_env={"BENCH_RESERVE_BODY": urlencode(fields)}
    )
    # An address of its own each run: one address gets only a day's share of guests' mail.
    probe_email = f"bench-probe-{uuid.uuid4().hex[:8]}@example.com"
    body = urlencode({**fields, **{k: probe_email for k in fields if "email" in k}})
    row = probe(guest, row, expect=302, method="POST", data=body)
    if row.note:
        row.note += " (the form was not accepted)"
    return row


def forget_bench_reservations() -> None:
    """Delete the reservations the reserve row made; keep the gift's count in step."""
    try:
        n = manage_json(
            "import json\n"
            "from django.db import transaction\n"
            "from django.db.models import Sum\n"
            "from apps.items.models import Item\n"
            "from apps.reservations.models import Reservation\n"
            "with transaction.atomic():\n"
            f"    qs = Reservation.objects.filter(guest_name={BENCH_GUEST!r},\n"
            "        guest_email__startswith='bench-', guest_email__endswith='@example.com')\n"
            "    items = set(qs.values_list('item_id', flat=True))\n"
            "    n = qs.count(); qs.delete()\n"
            "    for item in Item.objects.select_related('registry').filter(pk__in=items):\n"
            "        total = item.reservations.active().aggregate(t=Sum('quantity'))['t'] or 0\n"
            "        Item.objects.filter(pk=item.pk).update(reserved_count=total)\n"
            "        item.registry.bump_version()\n"
            "print(json.dumps(n))"
        )
        print(f"bench: removed the {n} reservations the reserve row made")
    except (RuntimeError, ValueError) as exc:
        print(f"bench: NOTE: could not remove the benchmark's reservations ({exc})")


def drop_waiting_mail() -> None:
    """Delete the guest mails still waiting in the stack's outbox (status ``waiting``).

    A guest's mail waits WHISPER_GUEST_MAIL_COALESCE_SECONDS (two minutes)
    before beat releases it: the reserve row's confirmations (a few hundred
    once coalesced) would be sent during the rows after it, and the mixed
    row's at the start of the next run, eating into whatever row runs. They
    are the benchmark's own guests' (the stack's database is the
    benchmark's), so no row measures their delivery: they are dropped.
    """
    try:
        n = manage_json(
            "import json\n"
            "from apps.notifications.models import OutgoingMessage\n"
            "n, _ = OutgoingMessage.objects.filter(status=OutgoingMessage.Status.WAITING).delete()\n"
            "print(json.dumps(n))"
        )
        if n:
            print(f"bench: dropped {n} guest mails still waiting in the outbox")
    except (RuntimeError, ValueError) as exc:
        print(f"bench: NOTE: could not drop the waiting guest mails ({exc})")


def wait_for_worker(limit: float = 60.0) -> None:
    """Give the celery worker time to send the mails queued (by the seed, by the reserve row)."""
    queue = os.environ.get("CELERY_QUEUES", "default")
    broker = os.environ.get(
        "STACK_BROKER_URL", f"redis://127.0.0.1:{os.environ.get('REDIS_PORT', '56379')}/1"
    )
    client = redis.Redis.from_url(broker)
    deadline = time.monotonic() + limit
    waiting = client.llen(queue)
    while waiting and time.monotonic() < deadline:
        time.sleep(1)
        waiting = client.llen(queue)
    if waiting:
        print(f"bench: NOTE: {waiting} mail tasks still queued after {limit:.0f}s")


# The run -------------------------------------------------------------------
def settle(limit: float = 30.0) -> None:
    """Wait until the stack is idle again: three floor requests in a row answered quickly.

    wrk stops, but requests it queued may still be running (a slow row leaves
    up to BENCH_CONNECTIONS of them in gunicorn's queue): they would eat into
    the next row's time.
    """
    deadline, quick = time.monotonic() + limit, 0
    while quick < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        requests.get(BASE + "/bench/floor/", headers=EDGE_BYPASS, timeout=30)
        quick = quick + 1 if time.monotonic() - started < 0.05 else 0


def current_status(row: Row) -> int:
    """The status ``row``'s request gets now; a 304 row first takes the page's current ETag.

    The page's ETag changes with every change to the registry (a mail task
    of the seeded reservations, say): revalidating with an old one measures
    the whole page instead of the 304.
    """
    if row.expect == 304:
        headers = {name: value for name, value in row.headers.items() if name != "If-None-Match"}
        page = requests.get(BASE + row.path, headers=as_wrk(headers), timeout=30)
        row.headers["If-None-Match"] = page.headers.get("ETag", "")
    return status_of(row)


def cache_status(row: Row, tries: int = 3) -> str:
    """What nginx's cache says of ``row``'s request (``X-Cache-Status``), or "".

    Asked up to ``tries`` times, a moment apart: the first request of a page
    (BENCH_WARMUP=0) is a MISS that fills the cache.
    """
    status = ""
    for attempt in range(tries):
        r = requests.get(BASE + row.path, headers=row.headers, timeout=30, allow_redirects=False)
        status = r.headers.get(CACHE_STATUS, "")
        if status in FROM_CACHE or not status:  # no header at all: nginx has no cache for it
            break
        time.sleep(0.2 * (attempt + 1))
    return status


def status_of(row: Row) -> int:
    """The status one request of ``row`` gets, as wrk sends it."""
    r = requests.get(BASE + row.path, headers=as_wrk(row.headers), timeout=30, allow_redirects=False)
    return r.status_code


def measure(row: Row, attempts: int = 2) -> None:
    """Drive ``row`` with wrk; its requests/s and latencies, or why it is n/a, land on ``row``.

    Measured again if its requests no longer got the status they should by
    the end (the page changed during the run); n/a if that happens twice.
    """
    if row.note:
        return
    if not row.script and current_status(row) != row.expect:
        row.skip(f"GET {row.path} does not answer {row.expect}")
        return
    settle()
    for _ in range(WARMUP if not row.script else 0):
        requests.get(BASE + row.path, headers={**row.headers}, timeout=30)
    if row.edge:
        cached = cache_status(row)
        if cached not in FROM_CACHE:
            row.skip(f"nginx is not caching the page ({CACHE_STATUS}: {cached or 'absent'} after warming)")
            return
        print(f"bench: {row.name}: nginx's cache says {CACHE_STATUS}: {cached}")
    print(f"bench: {row.name}: wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}s {row.path}", flush=True)
    row.ran = True
    try:
        result = wrk(row)
    except (subprocess.SubprocessError, ValueError) as exc:
        row.skip(f"wrk failed: {exc}")
        return
    if result["requests"] == 0 or result["errors"] > result["requests"] / 100:
        row.skip(f"{result['errors']} of {result['requests']} requests failed")
        return
    if not row.script and (after := status_of(row)) != row.expect:
        if attempts > 1:
            print(f"bench: {row.name}: answered {after} by the end; again", flush=True)
            measure(row, attempts - 1)
        else:
            row.skip(f"answered {after}, not {row.expect}, by the end of the run")
        return
    row.rps, row.p50_ms, row.p99_ms = result["rps"], result["p50_ms"], result["p99_ms"]


def measure_all(rows: dict[str, Row]) -> list[float]:
    """Measure every row: nginx's first, then Django's, each between two floor runs.

    Sets each row's ``ratio_to_floor``; the floor row gets the median run.
    Returns the requests/s of every floor run, in order.
    """
    for name in NGINX_ROWS:
        measure(rows[name])
    floor = rows["floor"]
    runs: list[Row] = []

    def run_floor() -> Row | None:
        run = Row("floor", floor.path, dict(floor.headers), note=floor.note)
        measure(run)
        if run.rps is None:
            return None
        runs.append(run)
        return run

    before = run_floor()
    for name in DJANGO_ROWS:
        row = rows[name]
        if row.note:
            continue
        measure(row)
        after = run_floor()
        if row.rps is not None and before is not None and after is not None:
            row.floor_rps = round((before.rps + after.rps) / 2, 1)
            row.ratio_to_floor = round(row.rps / row.floor_rps, 3)
        before = after
    if runs:
        median = sorted(runs, key=lambda run: run.rps)[(len(runs) - 1) // 2]
        floor.rps, floor.p50_ms, floor.p99_ms = median.rps, median.p50_ms, median.p99_ms
        floor.floor_rps, floor.ratio_to_floor = median.rps, 1.0
        for name in NGINX_ROWS:
            if rows[name].rps is not None:
                rows[name].ratio_to_floor = round(rows[name].rps / median.rps, 3)
    elif not floor.note:
        floor.skip("no floor run succeeded")
    return [run.rps for run in runs]


def seed_load() -> dict:
    """The reliability suite's load registries (tests/reliability/stackdata.py), in the stack's Django."""
    arguments = json.dumps(json.dumps({"registries": MIXED_REGISTRIES}))
    return manage_json(f"from tests.reliability import stackdata; stackdata.run('seed_load', {arguments})")


def forget_load(seed: dict) -> None:
    """Delete the load registries and their couples (their gifts and reservations go with them)."""
    slugs = [registry["slug"] for registry in seed["registries"]]
    owners = [registry["owner"] for registry in seed["registries"]]
    try:
        n = manage_json(
            "import json\n"
            "from django.db import transaction\n"
            "from apps.accounts.models import User\n"
            "from apps.registries.models import Registry\n"
            "with transaction.atomic():\n"
            f"    n = Registry.objects.filter(slug__in={slugs!r}).delete()[0]\n"
            f"    User.objects.filter(email__in={owners!r}).delete()\n"
            "print(json.dumps(n))"
        )
        print(f"bench: removed the mixed row's {len(slugs)} registries ({n} rows with what they held)")
    except (RuntimeError, ValueError) as exc:
        print(f"bench: NOTE: could not remove the mixed row's registries ({exc})")


def measure_mixed(row: Row, floor_rps: float | None) -> None:
    """The mixed row: tests/reliability/locustfile.py, headless, for BENCH_DURATION through nginx.

    Guests browse, search and reserve; couples log in, watch their dashboard
    and edit gifts, on registries seeded for it (and deleted afterwards).
    No bypass header: nginx's cache serves what it would in production.
    n/a if any request failed.
    """
    if row.note:
        return
    try:
        seed = seed_load()
    except (RuntimeError, ValueError) as exc:
        row.skip(f"could not seed the load registries ({exc})")
        return
    try:
        with tempfile.TemporaryDirectory(prefix="bench-mixed-") as tmp:
            seed_file, told, prefix = Path(tmp, "seed.json"), Path(tmp, "told.txt"), Path(tmp, "mixed")
            seed_file.write_text(json.dumps(seed))
            command = [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--host", BASE, "--csv", str(prefix)]
            command += ["-u", str(MIXED_USERS), "-r", str(MIXED_SPAWN_RATE), "-t", f"{MIXED_DURATION}s"]
            command += ["--only-summary", "--stop-timeout", "15", "--loglevel", "WARNING"]
            settle()
            print(f"bench: {row.name}: locust {' '.join(command[command.index('-u') :])}", flush=True)
            row.ran = True
            done = subprocess.run(
                command,
                cwd=tmp,
                env={**os.environ, "RELIABILITY_SEED": str(seed_file), "RELIABILITY_TOLD": str(told)},
                capture_output=True,
                text=True,
                timeout=MIXED_DURATION + 120,
                check=False,
            )
            try:
                result = parse_locust(
                    Path(f"{prefix}_stats.csv").read_text(), Path(f"{prefix}_failures.csv").read_text()
                )
            except (OSError, ValueError, KeyError) as exc:
                tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                row.skip(f"locust gave no figures (exit {done.returncode}: {exc}; {' / '.join(tail)})")
                return
    finally:
        wait_for_worker()  # the reservations' mails, before their rows go
        forget_load(seed)
    row.p95_ms, row.requests, row.failures = result["p95_ms"], result["requests"], result["failures"]
    if not result["requests"]:
        row.skip("locust made no request")
    elif result["failures"]:
        row.skip(
            f"{result['failures']} of {result['requests']} requests failed: {'; '.join(result['errors'][:3])}"
        )
    else:
        row.rps, row.p50_ms, row.p99_ms = result["rps"], result["p50_ms"], result["p99_ms"]
        if floor_rps:
            row.floor_rps, row.ratio_to_floor = floor_rps, round(row.rps / floor_rps, 3)


def table(rows: list[Row]) -> str:
    lines = [f"{'row':<19} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'× floor':>8} {'queries':>8}"]
    for row in rows:
        if row.rps is None:
            lines.append(f"{row.name:<19} {'n/a':>9}   ({row.note})")
            continue
        queries = "-" if row.load else "?" if row.queries is None else str(row.queries)
        ratio = "n/a" if row.ratio_to_floor is None else f"{row.ratio_to_floor:.3f}"
        lines.append(
            f"{row.name:<19} {row.rps:>9.1f} {row.p50_ms:>8.2f} {row.p99_ms:>8.2f} {ratio:>8} {queries:>8}"
        )
    return "\n".join(lines)


def main() -> int:
    if not shutil.which("wrk"):
        print("bench: wrk is missing; run `make system` (Debian package wrk)", file=sys.stderr)
        return 1
    os.environ.setdefault("NGINX_ACCESS_LOG", "off")
    # Steady state: no worker recycled (and rebooting Django) in the middle of a row.
    os.environ.setdefault("GUNICORN_MAX_REQUESTS", "0")
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    reserved = False
    try:
        # Our ports, kept out of the ephemeral range for the run (only if nobody else did).
        reserved = subprocess.run([str(RESERVED_PORTS), "add"], cwd=ROOT, check=False).returncode == 0
        sh(SERVICES, "up")
        sh(STACK, "down")  # a stack left running may run older code
        sh(STACK, "prepare")
        seed()
        drop_waiting_mail()  # a previous run's, before beat is up to release them during this one
        subprocess.run(
            [str(STACK), "up"], cwd=ROOT, check=True, env={**os.environ, "STACK_SKIP_PREPARE": "1"}
        )
        rows = prepare_rows()
        for name in ROW_NAMES:
            if ONLY and name != "floor" and name not in ONLY:
                rows[name].skip("not in BENCH_ROWS")
        wait_for_worker()  # the seeded reservations' mails first
        floors = measure_all(rows)
        if rows["reserve"].ran:
            wait_for_worker()
            forget_bench_reservations()
            drop_waiting_mail()
        measure_mixed(rows[MIXED], rows["floor"].rps)  # last: it writes (and cleans up after itself)
    finally:
        if os.environ.get("BENCH_KEEP_STACK") != "1":
            sh(STACK, "down")
        if reserved:
            subprocess.run([str(RESERVED_PORTS), "restore"], cwd=ROOT, check=False)

    ordered = [rows[name] for name in ROW_NAMES]
    config = {
        "started_at": started,
        "duration_s": DURATION,
        "connections": CONNECTIONS,
        "threads": THREADS,
        "items": ITEMS,
        "settings": os.environ.get("STACK_SETTINGS", "bench.settings"),
        "nginx_port": NGINX_PORT,
        "gunicorn_ports": os.environ.get("GUNICORN_PORTS", "58001"),
        "web_concurrency": int(os.environ.get("WEB_CONCURRENCY", "3")),
        "worker_class": os.environ.get("GUNICORN_WORKER_CLASS", "sync"),
        "nginx_access_log": os.environ["NGINX_ACCESS_LOG"],
        "gunicorn_max_requests": int(os.environ["GUNICORN_MAX_REQUESTS"]),
        "floor_runs_rps": floors,
        "ratio": "each Django row against the mean of the floor runs just before and after it; "
        "nginx's rows and mixed against the median floor run",
        "wsgi": os.environ.get("STACK_WSGI", "bench.wsgi:application"),
        "mixed_users": MIXED_USERS,
        "mixed_duration_s": MIXED_DURATION,
        "wrk": wrk_version(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
    }
    results = {"machine": machine(), "config": config, "rows": [r.as_json() for r in ordered]}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    REPORT.write_text(markdown(results, REPORT.read_text() if REPORT.exists() else ""))
    print()
    print(f"Whisper benchmark — {machine()}")
    nodes = f"{config['gunicorn_ports']}, {config['web_concurrency']} {config['worker_class']} workers each"
    print(f"wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}s through nginx → gunicorn ({nodes})")
    print(table(ordered))
    if rows["floor_no_timelog"].floor_rps and rows["floor_no_timelog"].rps:
        overhead = 1 - rows["floor_no_timelog"].floor_rps / rows["floor_no_timelog"].rps
        print(f"timelog middleware: {overhead:.1%} of the floor's throughput (floor vs floor_no_timelog)")
    if rows["bare"].ratio_to_floor:
        print(
            f"Whisper's middleware: the floor is {1 / rows['bare'].ratio_to_floor:.3f} × bare (target ≥ 0.80)"
        )
    if line := mixed_line(rows[MIXED].as_json(), MIXED_USERS, MIXED_DURATION):
        print(line)
    print(f"\nwritten to {RESULTS.relative_to(ROOT)} and {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
