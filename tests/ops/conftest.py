"""Fixtures for the ops tests: free ports, throwaway servers, read-only mode."""

from __future__ import annotations

import copy
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from django.test import Client

from apps.ops import read_only
from tests.factories import UserFactory


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answers on port {port}")


class Server:
    """A throwaway server process on a port of its own; ``stop()`` kills it."""

    def __init__(self, args: list[str], port: int) -> None:
        self.port = port
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, self.proc)
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def memcached_server() -> Iterator[Server]:
    """Our own memcached (never the shared one), killed at the latest at teardown."""
    binary = shutil.which("memcached") or "/usr/bin/memcached"
    port = free_port()
    server = Server([binary, "-u", "nobody", "-l", "127.0.0.1", "-p", str(port), "-U", "0"], port)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_server(tmp_path) -> Iterator[Server]:
    """Our own redis-server (never the shared one), killed at the latest at teardown."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    args += ["--appendonly", "no", "--dir", str(tmp_path)]
    server = Server(args, port)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and then never answers (a hung server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


@pytest.fixture
def cache_at(settings):
    """Point the default cache at ``127.0.0.1:port`` for the rest of the test."""

    def point(port: int) -> None:
        caches = copy.deepcopy(settings.CACHES)
        caches["default"]["LOCATION"] = [f"127.0.0.1:{port}"]
        settings.CACHES = caches

    return point


@pytest.fixture
def read_only_on(db, django_capture_on_commit_callbacks) -> None:
    """Read-only mode on, as an operator turns it on (waffle's cache flushed)."""
    with django_capture_on_commit_callbacks(execute=True):
        read_only.set_active(True)


@pytest.fixture
def superuser_client(db) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    return client
