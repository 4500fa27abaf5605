"""Fixtures of the reliability tests: services and a stack of their own, to break on purpose.

The fault tests kill memcached and Redis and restart PostgreSQL, so they never
touch the shared services of ``scripts/services.sh`` (everybody's tests use
them). ``isolated_stack`` starts a set of its own on ports of its own, with
its data under ``.run/reliability``, and on top of it nginx, two gunicorn
nodes and a celery worker and beat (``scripts/stack.sh``), whose mail goes to
a loopback Postmark stand-in. At the end of the session the stack is stopped
by ``stack.sh down`` and each service by the PID it recorded.

The ports are the ``DEFAULT_PORTS`` (``RELIABILITY_<NAME>_PORT`` in the
environment changes one); one that cannot be bound right now — the kernel
also hands ports of that range to outgoing connections — is replaced by a
free one. Only one session at a time uses the isolated stack (a lock file).

``figures`` prints what the tests measured; the session ends with them all
under "Reliability figures", and each one's row in ``docs/reliability.md``
(the README links it) is rewritten.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest
import requests

from bench.helpers import machine
from tests.notifications.conftest import postmark, wait_for  # noqa: F401 (postmark: the stand-in, reused)
from tests.notifications.standin import PostmarkStandIn
from tests.payments.conftest import order, paypal, plans, premium  # noqa: F401 (the PayPal stand-in, reused)

# A plain locust file, run as its own process: pytest must not import it
# (locust patches the standard library with gevent when it is imported).
collect_ignore = ["locustfile.py"]

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / ".run" / "reliability"
STACK_RUN = RUN / "stack"
SERVICES_SH = ROOT / "scripts" / "services.sh"
STACK_SH = ROOT / "scripts" / "stack.sh"
REPORT = ROOT / "docs" / "reliability.md"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DEFAULT_PORTS = {
    "pg": 55532,
    "memcached": 51311,
    "redis": 56479,
    "nginx": 58380,
    "web1": 58301,
    "web2": 58302,
}
WORKERS_PER_NODE = 2
DB_NAME = "whisper_reliability"
POSTMARK_TOKEN = "reliability-postmark-token"
# Beat's "retry unsent mail" (and "send what waited") runs this often on the isolated stack, and a
# queued mail counts as stuck after OUTBOX_STUCK_AFTER_SECONDS (env file below).
RETRY_UNSENT_EVERY_SECONDS = 3
OUTBOX_STUCK_AFTER_SECONDS = 8
# Variables of this pytest process that must not reach the stack's processes.
_PRIVATE_PREFIXES = ("DB_", "MEMCACHED_", "CACHE_", "CELERY_", "POSTMARK_", "OUTBOX_", "PYTEST_")
_PRIVATE = {"DJANGO_SETTINGS_MODULE", "WHISPER_TEST_DB", "EMAIL_BACKEND", "SECRET_KEY", "WHISPER_ENV_FILE"}


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def bindable(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:``port`` now."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pid_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text(errors="replace").replace("\0", " ")
    except OSError:
        return ""


def children(pid: int) -> set[int]:
    """The live child processes of ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.add(int(entry.name))
    return found


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


@dataclass(frozen=True)
class Ports:
    """Where each part of the isolated stack listens."""

    pg: int
    memcached: int
    redis: int
    nginx: int
    web1: int
    web2: int

    @property
    def web(self) -> tuple[int, int]:
        return (self.web1, self.web2)

    @classmethod
    def choose(cls) -> Ports:
        """The defaults (or ``RELIABILITY_*_PORT``), each replaced by a free port if it cannot be bound."""
        chosen = {}
        for name, default in DEFAULT_PORTS.items():
            port = int(os.environ.get(f"RELIABILITY_{name.upper()}_PORT", default))
            chosen[name] = port if bindable(port) else free_port()
        return cls(**chosen)


# The services' PID files, and what a live one's command line names when it is ours.
def _service_files(ports: Ports) -> dict[str, tuple[Path, str]]:
    return {
        "memcached": (RUN / "memcached.pid", f"-p {ports.memcached} "),
        "redis": (RUN / "redis.pid", f":{ports.redis}"),
        "postgres": (RUN / "postgres" / "postmaster.pid", str(RUN / "postgres")),
    }


@dataclass
class IsolatedStack:
    """The isolated services and the stack on them: where they answer and how to break them."""

    ports: Ports
    env: dict[str, str]
    postmark: PostmarkStandIn
    run_dir: Path = STACK_RUN
    log: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports.nginx}"

    # Driving -------------------------------------------------------------
    def sh(self, *args: str, timeout: float = 240, **env: str) -> subprocess.CompletedProcess:
        """``scripts/stack.sh ARGS`` for this stack, output captured."""
        return subprocess.run(
            [str(STACK_SH), *args],
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def services(self, *args: str) -> None:
        """``scripts/services.sh ARGS`` for the isolated services (never the shared ones)."""
        done = subprocess.run(
            [str(SERVICES_SH), *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def django(self, function: str, **arguments):
        """``stackdata.<function>(**arguments)`` run inside the stack's Django; its JSON answer."""
        code = (
            "from tests.reliability import stackdata; "
            f"stackdata.run({function!r}, {json.dumps(json.dumps(arguments))})"
        )
        done = self.sh("manage", "shell", "-c", code, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    def get(self, path: str, timeout: float = 30, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return requests.get(self.url + path, timeout=timeout, **kwargs)

    # The processes ---------------------------------------------------------
    def pid(self, service: str) -> int:
        """The PID of the isolated ``postgres``, ``memcached`` or ``redis``, checked to be ours."""
        path, mark = _service_files(self.ports)[service]
        pid = _read_pid(path)
        assert pid and pid_alive(pid), f"{service} is not running"
        assert mark in cmdline(pid) + " ", f"pid {pid} is not our {service}: {cmdline(pid)}"
        return pid

    def kill(self, service: str) -> int:
        """SIGKILL the isolated ``memcached`` or ``redis``; wait until its port is closed."""
        port = {"memcached": self.ports.memcached, "redis": self.ports.redis}[service]
        pid = self.pid(service)
        os.kill(pid, signal.SIGKILL)
        assert wait_for(lambda: not pid_alive(pid) and not listening(port), 10), f"{service} still answers"
        return pid

    def start(self, service: str) -> None:
        """Start an isolated service again (``scripts/services.sh up NAME`` with our ports)."""
        self.services("up", service)

    def stop_postgres(self) -> int:
        """Stop the isolated PostgreSQL (SIGINT to its PID: a fast shutdown); wait until it is gone."""
        pid = self.pid("postgres")
        os.kill(pid, signal.SIGINT)
        assert wait_for(lambda: not pid_alive(pid) and not listening(self.ports.pg), 30), (
            "postgres did not stop"
        )
        return pid

    def restart_postgres(self) -> None:
        """``pg_ctl restart -m fast`` of the isolated PostgreSQL: every connection is cut."""
        pg_ctl = ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(RUN / "postgres")]
        done = subprocess.run(
            # -l as scripts/services.sh starts it: the server's output never holds our pipe open.
            [*pg_ctl, "-l", str(RUN / "postgres" / "server.log"), "-m", "fast", "-w", "-t", "60", "restart"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def web_masters(self) -> dict[int, int]:
        """Gunicorn port → the PID of its master."""
        return {port: _read_pid(self.run_dir / f"gunicorn-{port}.pid") for port in self.ports.web}

    def workers(self) -> dict[int, set[int]]:
        """Gunicorn port → the PIDs of its workers."""
        return {port: children(master) for port, master in self.web_masters().items()}

    def memcached_stats(self) -> dict[str, int]:
        """memcached's own counters (``stats``): curr_items, get_hits, …"""
        with socket.create_connection(("127.0.0.1", self.ports.memcached), timeout=2) as s:
            s.sendall(b"stats\r\n")
            data = b""
            while not data.endswith(b"END\r\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        stats = {}
        for line in data.decode().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "STAT" and parts[2].isdigit():
                stats[parts[1]] = int(parts[2])
        return stats


def _environment(ports: Ports, postmark_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_PRIVATE_PREFIXES) and key not in _PRIVATE
    }
    env_file = RUN / "stack.env"
    env_file.write_text(
        "\n".join(
            [
                "# Written by tests/reliability/conftest.py for the isolated stack.",
                f"POSTMARK_SERVER_TOKEN={POSTMARK_TOKEN}",
                f"POSTMARK_API_URL={postmark_url}",
                "OUTBOX_RETRY_BASE_SECONDS=1",
                f"OUTBOX_RETRY_UNSENT_SECONDS={RETRY_UNSENT_EVERY_SECONDS}",
                f"OUTBOX_RELEASE_WAITING_SECONDS={RETRY_UNSENT_EVERY_SECONDS}",
                f"OUTBOX_STUCK_AFTER_SECONDS={OUTBOX_STUCK_AFTER_SECONDS}",
                "",
            ]
        )
    )
    env.update(
        {
            # services.sh: the isolated set, never the shared one in .run/.
            "WHISPER_RUN_DIR": str(RUN),
            "PG_PORT": str(ports.pg),
            "MEMCACHED_PORT": str(ports.memcached),
            "REDIS_PORT": str(ports.redis),
            # stack.sh
            "STACK_RUN_DIR": str(STACK_RUN),
            "NGINX_PORT": str(ports.nginx),
            "GUNICORN_PORTS": ",".join(map(str, ports.web)),
            "WEB_CONCURRENCY": str(WORKERS_PER_NODE),
            "STACK_DB_NAME": DB_NAME,
            "STACK_CACHE_PREFIX": "reliability",
            "STACK_BROKER_URL": f"redis://127.0.0.1:{ports.redis}/1",
            "STACK_SETTINGS": "bench.settings",
            "NGINX_ACCESS_LOG": "off",
            # Read by whisper/settings/production.py in every process of the stack.
            "WHISPER_ENV_FILE": str(env_file),
        }
    )
    return env


def _stop_services(ports: Ports, log: list[str]) -> None:
    """Stop the isolated services by the PIDs they recorded (PostgreSQL: SIGINT, its fast shutdown)."""
    signals = {"memcached": signal.SIGTERM, "redis": signal.SIGTERM, "postgres": signal.SIGINT}
    for name, (path, mark) in _service_files(ports).items():
        pid = _read_pid(path)
        # A recorded PID may have been reused by now: only ours (its port or folder on its command line).
        if not pid or not pid_alive(pid) or mark not in cmdline(pid) + " ":
            continue
        os.kill(pid, signals[name])
        if not wait_for(lambda pid=pid: not pid_alive(pid), 30):
            os.kill(pid, signal.SIGKILL)
        log.append(f"{name} (pid {pid}) stopped")


def _stop_leftovers() -> None:
    """What a killed session left running: its stack (stack.sh down) and its services (by PID)."""
    try:
        previous = Ports(**json.loads((RUN / "ports.json").read_text()))
    except (OSError, ValueError, TypeError):
        return
    env = _environment(previous, "http://127.0.0.1:9/")
    subprocess.run([str(STACK_SH), "down"], cwd=ROOT, env=env, capture_output=True, timeout=180, check=False)
    _stop_services(previous, [])


@contextlib.contextmanager
def _one_session_at_a_time(timeout: float = 180):
    """Hold ``.run/reliability/session.lock``: two sessions on our ports would stop each other's stack."""
    RUN.mkdir(parents=True, exist_ok=True)
    with (RUN / "session.lock").open("a+") as lock:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    lock.seek(0)
                    pytest.fail(f"another test session holds the isolated stack: {lock.read().strip()}")
                time.sleep(1)
        lock.truncate(0)
        lock.write(f"pid {os.getpid()}: {' '.join(sys.argv)}\n")
        lock.flush()
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def isolated_stack():
    """The isolated services and a stack on them, for the whole session; torn down by PID at the end."""
    with _one_session_at_a_time():
        yield from _isolated_stack()


def _isolated_stack():
    _stop_leftovers()
    ports = Ports.choose()
    (RUN / "ports.json").write_text(json.dumps(asdict(ports)))
    standin = PostmarkStandIn(POSTMARK_TOKEN).start()
    stack = IsolatedStack(ports, _environment(ports, standin.url), standin)
    try:
        stack.services("up")
        # A fresh database each session: the figures count only this run's rows.
        psql = ["psql", "-h", "127.0.0.1", "-p", str(ports.pg), "-U", "whisper", "-d", "postgres", "-qc"]
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'], check=True, timeout=60)
        prepared = stack.sh("prepare")
        assert prepared.returncode == 0, prepared.stdout + prepared.stderr
        started = stack.sh("up", STACK_SKIP_PREPARE="1")
        assert started.returncode == 0, started.stdout + started.stderr
        yield stack
    finally:
        stopped = stack.sh("down", timeout=180)
        _stop_services(ports, stack.log)
        standin.stop()
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        held = [port for port in asdict(ports).values() if listening(port)]
        assert not held, f"ports still held after the teardown: {held}"


# Figures -------------------------------------------------------------------
_FIGURES = pytest.StashKey[list[str]]()


def report_figures(request, capsys, title: str, **numbers) -> None:
    """Print ``title: name value, …`` at once (output capture or not) and keep it for the session summary."""
    line = f"{title}: " + ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in numbers.items())
    request.config.stash.setdefault(_FIGURES, []).append(line)
    with capsys.disabled():
        print(f"\nreliability | {line}")


@pytest.fixture
def figures(request, capsys):
    """``figures(title, **numbers)``: what a test measured, printed and summarized at the end."""
    return lambda title, **numbers: report_figures(request, capsys, title, **numbers)


_REPORT_HEAD = """# Reliability figures

Written at the end of each test session that measured something (its "Reliability figures"
summary, `tests/reliability/conftest.py`): do not edit by hand. Each row is the last run of its
test; what the tests do and assert: the README's Reliability section.

| test | figures | run |
|---|---|---|
"""


def write_report(lines: list[str]) -> None:
    """Rewrite the rows of ``docs/reliability.md`` measured this session; keep the others."""
    rows = {}
    for row in REPORT.read_text().splitlines() if REPORT.exists() else []:
        cells = row.split(" | ")
        if len(cells) == 3 and not row.startswith(("| test |", "|---")):
            rows[cells[0].removeprefix("| ")] = row
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    run = f"{commit}, {time.strftime('%Y-%m-%d')}, {machine()}"
    for line in lines:
        title, figures = line.split(": ", 1)
        rows[title] = f"| {title} | {figures} | {run} |"
    REPORT.write_text(_REPORT_HEAD + "\n".join(rows.values()) + "\n")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    lines = config.stash.get(_FIGURES, [])
    if lines:
        terminalreporter.section("Reliability figures")
        for line in lines:
            terminalreporter.write_line(line)
        write_report(lines)
