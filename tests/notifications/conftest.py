"""Fixtures of the notification tests: the Postmark stand-in, brokers and real celery workers.

- ``postmark``: the loopback stand-in for Postmark's API (``standin.py``).
- ``shared_broker``: the Redis of ``scripts/services.sh``, database 5, with a
  queue name of this test's own, so parallel test runs never take each
  other's tasks.
- ``own_redis``: a redis-server of this test's own on a free port, for tests
  that stop the broker (the shared one is everybody's).
- ``start_worker`` / ``start_beat``: real ``celery -A whisper worker|beat``
  processes on the test database (``worker_settings.py``), killed afterwards.
- ``publish_to``: points this test process's celery app at a broker, so the
  outbox's on-commit ``deliver.delay()`` really goes through Redis.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.db import connection

from whisper.celery import app as celery_app

from .standin import PostmarkStandIn

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"
REDIS_PORT = int(os.environ.get("REDIS_PORT", "56379"))
SHARED_REDIS_DB = 5
WEBHOOK_AUTH = "postmark:test-webhook-secret"  # ANYMAIL["WEBHOOK_SECRET"] in whisper/settings/test.py


def webhook_payload(name: str, **changes) -> bytes:
    """The recorded Postmark webhook ``data/<name>.json``, with some fields changed."""
    payload = json.loads((DATA / f"{name}.json").read_text())
    payload.update(changes)
    return json.dumps(payload).encode()


def basic_auth(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


def wait_for(condition, timeout: float = 30.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Postmark ----------------------------------------------------------------
@pytest.fixture
def postmark(settings):
    """The stand-in, and this process's mail going to it through anymail's Postmark backend."""
    standin = PostmarkStandIn(settings.ANYMAIL["POSTMARK_SERVER_TOKEN"]).start()
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_API_URL": standin.url}
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    yield standin
    standin.stop()


# Brokers -----------------------------------------------------------------
@dataclass
class Broker:
    url: str
    queue: str


@pytest.fixture
def shared_broker():
    queue = f"mail-test-{uuid.uuid4().hex[:10]}"
    yield Broker(f"redis://127.0.0.1:{REDIS_PORT}/{SHARED_REDIS_DB}", queue)
    client = redis.Redis(port=REDIS_PORT, db=SHARED_REDIS_DB)
    client.delete(queue, f"_kombu.binding.{queue}")
    client.close()


class OwnRedis:
    """A redis-server on a free port, which the test may stop and start again."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                cwd=self.folder,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        try:
            assert wait_for(lambda: _pings(client), 10), "redis-server did not start"
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def _reset_broker_connections() -> None:
    # Celery caches its connection and producer pools per app, with no public
    # way to drop them (Celery.close() also unregisters the app): without
    # this, a changed broker_url would keep using the old connections.
    kombu.pools.reset()  # closes and forgets every pooled connection
    celery_app._after_fork()


@pytest.fixture
def publish_to(settings):
    """``publish_to(broker)``: this process queues tasks on ``broker`` instead of running them inline."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    settings.OUTBOX_DELIVER_ON_COMMIT = True

    def use(broker: Broker) -> None:
        celery_app.conf.update(
            broker_url=broker.url, task_always_eager=False, task_default_queue=broker.queue
        )
        _reset_broker_connections()

    yield use
    celery_app.conf.update(saved)
    _reset_broker_connections()


# Celery processes --------------------------------------------------------------
@dataclass
class Process:
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole process group: the worker and its pool processes."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # already gone
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)


@pytest.fixture
def celery_process(tmp_path):
    """``celery_process(kind, broker, postmark_url, **env)``: start ``celery worker`` or ``beat``."""
    started: list[Process] = []

    def start(kind: str, broker: Broker, postmark_url: str = "", ready: str = "", **env: str) -> Process:
        log = tmp_path / f"{kind}-{len(started)}.log"
        environ = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            # The test database, where this test's rows are (committed: transaction=True).
            "DB_NAME": connection.settings_dict["NAME"],
            "WORKER_BROKER_URL": broker.url,
            "WORKER_QUEUE": broker.queue,
            "WORKER_POSTMARK_API_URL": postmark_url,
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        if kind == "worker":
            args = ["worker", "--queues", broker.queue, "--concurrency", "1", "--pool", "prefork"]
            args += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
            args += ["--hostname", f"mailtest-{uuid.uuid4().hex[:8]}@%h"]
            ready = ready or " ready."
        else:
            args = ["beat", "--pidfile=", "--max-interval", "1"]
            ready = ready or "beat: Starting"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", "celery", "--app", "whisper", *args, "--loglevel", "INFO"],
                cwd=ROOT,
                env=environ,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, to kill it whole
            )
        process = Process(popen, log)
        started.append(process)
        if not wait_for(lambda: ready in process.output() or process.popen.poll() is not None, 60):
            pytest.fail(f"celery {kind} did not start:\n{process.output()}")
        if process.popen.poll() is not None:
            pytest.fail(f"celery {kind} exited:\n{process.output()}")
        return process

    yield start
    for process in started:
        process.kill()
