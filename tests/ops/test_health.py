"""/health/: 200 JSON when every part answers, a quick 503 naming the part that doesn't."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from django.urls import reverse

from tests.ops.conftest import free_port

pytestmark = pytest.mark.django_db

SHARED_REDIS = f"redis://127.0.0.1:{os.environ.get('REDIS_PORT', '56379')}/0"
ALL_OK = {"database": "ok", "cache": "ok", "broker": "ok", "storage": "ok"}


def get_health(client):
    """GET /health/ and the seconds it took."""
    started = time.monotonic()
    response = client.get(reverse("ops:health"))
    return response, time.monotonic() - started


def test_all_ok_on_the_real_services(client, settings):
    settings.CELERY_BROKER_URL = SHARED_REDIS

    response, _ = get_health(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": ALL_OK}
    assert "no-store" in response["Cache-Control"]


def test_without_a_broker_tasks_are_eager_and_that_is_ok(client, settings):
    settings.CELERY_BROKER_URL = ""

    response, _ = get_health(client)

    assert response.status_code == 200
    assert response.json()["checks"] == {**ALL_OK, "broker": "eager"}


def test_cache_down_is_a_quick_503_naming_the_cache(client, settings, cache_at):
    settings.CELERY_BROKER_URL = SHARED_REDIS
    cache_at(free_port())

    response, seconds = get_health(client)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"] == {**ALL_OK, "cache": "error"}
    assert set(body["errors"]) == {"cache"}
    assert seconds < 2


def test_broker_down_is_a_quick_503_naming_the_broker(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"

    response, seconds = get_health(client)

    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {**ALL_OK, "broker": "error"}
    assert "Redis" in body["errors"]["broker"]
    assert seconds < 2


def test_hung_cache_and_broker_do_not_make_health_hang(client, settings, cache_at, silent_port):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent_port}/0"
    cache_at(silent_port)

    response, seconds = get_health(client)

    assert response.status_code == 503
    assert response.json()["checks"] == {**ALL_OK, "cache": "error", "broker": "error"}
    assert seconds < 2


def test_memcached_outage(client, settings, cache_at, memcached_server):
    cache_at(memcached_server.port)

    response, _ = get_health(client)
    assert response.json() == {"status": "ok", "checks": {**ALL_OK, "broker": "eager"}}
    assert response.status_code == 200

    memcached_server.stop()

    response, seconds = get_health(client)
    assert response.status_code == 503
    assert response.json()["checks"] == {**ALL_OK, "broker": "eager", "cache": "error"}
    assert seconds < 2


def test_redis_outage(client, settings, redis_server):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{redis_server.port}/0"

    response, _ = get_health(client)
    assert response.json() == {"status": "ok", "checks": ALL_OK}
    assert response.status_code == 200

    redis_server.stop()

    response, seconds = get_health(client)
    assert response.status_code == 503
    assert response.json()["checks"] == {**ALL_OK, "broker": "error"}
    assert seconds < 2


def test_media_storage_that_cannot_be_written_is_a_503(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = ""
    blocked = tmp_path / "media"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked

    response, _ = get_health(client)

    assert response.status_code == 503
    assert response.json()["checks"] == {**ALL_OK, "broker": "eager", "storage": "error"}


def test_health_still_answers_in_read_only_mode(client, settings, read_only_on):
    settings.CELERY_BROKER_URL = SHARED_REDIS

    response, _ = get_health(client)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": ALL_OK}


HUNG_DATABASE_PROBE = """
import json, os, sys, time
import django
django.setup()
from django.test import Client
started = time.monotonic()
response = Client().get("/health/")
print(json.dumps([response.status_code, response.json(), time.monotonic() - started]))
sys.stdout.flush()
os._exit(0)  # the abandoned database thread would keep the process up for its pool timeout
"""


def test_hung_database_does_not_make_health_hang(settings, silent_port):
    # A process of its own: the test database connection of this one stays untouched.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "whisper.settings.test",
        "DB_PORT": str(silent_port),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    done = subprocess.run(
        [sys.executable, "-c", HUNG_DATABASE_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    status, body, seconds = json.loads(done.stdout.strip().splitlines()[-1])

    assert status == 503
    assert body["checks"] == {**ALL_OK, "broker": "eager", "database": "error"}
    assert seconds < 2
