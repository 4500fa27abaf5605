"""The statsd backend: one UDP packet per count, nothing when unconfigured."""

from __future__ import annotations

import datetime
import socket

import pytest
from django.utils import timezone

from apps.metrics.api import count
from apps.metrics.backends import StatsdBackend


@pytest.fixture
def statsd_server(settings):
    """A UDP socket on loopback standing in for statsd."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(5)
    settings.STATSD_HOST = "127.0.0.1"
    settings.STATSD_PORT = server.getsockname()[1]
    settings.STATSD_PREFIX = "whisper"
    yield server
    server.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_counts_go_to_statsd_as_counters(statsd_server, counted):
    count("signups")
    count("revenue", 2500)

    assert statsd_server.recv(512) == b"whisper.signups:1|c"
    assert statsd_server.recv(512) == b"whisper.revenue:2500|c"
    assert counted("signups") == 1  # and the database still counts


def test_counts_for_another_day_are_not_sent(statsd_server):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    statsd_server.settimeout(0.2)

    StatsdBackend().count("signups", 1, yesterday)

    with pytest.raises(TimeoutError):
        statsd_server.recv(512)


def test_unconfigured_it_does_nothing(settings):
    settings.STATSD_HOST = ""
    backend = StatsdBackend()

    backend.count("signups", 1, timezone.localdate())

    assert backend._socket is None


def test_closing_releases_the_socket(statsd_server):
    backend = StatsdBackend()
    backend.count("signups", 1, timezone.localdate())
    assert statsd_server.recv(512) == b"whisper.signups:1|c"

    backend.close()

    assert backend._socket is None
