"""The checks behind ``/health/``: database, cache, broker and media storage.

They are django-health-check's own checks, given short time budgets so a dead
server makes ``/health/`` answer "error" quickly instead of hanging, plus a
broker check that knows about the embedded default (no broker, eager tasks).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from health_check import checks
from health_check.base import HealthCheck, HealthCheckResult
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from redis.asyncio import Redis as RedisClient
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

# Each blocking check gets this long (plus the library's one second of grace)
# before it counts as failed, so /health/ answers within two seconds.
BUDGET = datetime.timedelta(seconds=0.5)
# The socket timeouts of the broker ping.
REDIS_TIMEOUT_SECONDS = 0.5

# What a check that passed without a server to ask reports instead of "ok".
EAGER = "eager"


@dataclasses.dataclass
class Database(checks.Database):
    """``SELECT 1`` on the default database."""

    timeout = BUDGET


@dataclasses.dataclass
class Cache(checks.Cache):
    """Set, then get, a unique value.

    The cache ignores memcached errors (an outage reads as a miss), so only a
    round trip of a fresh value tells a live memcached from a dead one.
    ``timeout`` is how long the probe key lives; the pymemcache client's own
    0.5 s timeouts (``CACHES`` in settings) bound how long the probe takes, and
    pymemcache skips a server that just failed, so the retry costs nothing.
    """

    key_prefix: str = dataclasses.field(default="whisper-health", repr=False)

    async def run(self) -> None:
        try:
            await super().run()
        except ServiceUnavailable:
            # A value can vanish between the set and the get without an outage
            # (an eviction, someone's flush_all); only a second miss counts.
            await super().run()


@dataclasses.dataclass
class Storage(checks.Storage):
    """Write, read back and delete a small file in media storage."""

    timeout = BUDGET


@dataclasses.dataclass
class Broker(HealthCheck):
    """Ping Redis at ``CELERY_BROKER_URL``; without a broker, tasks run eagerly.

    The URL is read when the check runs, so it follows the settings of the
    moment (tests point it elsewhere).
    """

    timeout = BUDGET

    async def run(self) -> None:
        if settings.CELERY_BROKER_URL:
            await Redis(client_factory=self._client).run()

    def _client(self) -> RedisClient:
        # No retries: a health check reports the first failure, quickly.
        return RedisClient.from_url(
            settings.CELERY_BROKER_URL,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )

    def ok_status(self) -> str:
        return "ok" if settings.CELERY_BROKER_URL else EAGER


# The name each check reports under in /health/'s JSON.
CHECKS: dict[str, type[HealthCheck]] = {
    "database": Database,
    "cache": Cache,
    "broker": Broker,
    "storage": Storage,
}


def report(results: list[HealthCheckResult]) -> dict:
    """The JSON body of ``/health/`` for the results of the ``CHECKS``.

    A failing part reads ``"error"`` under ``checks`` and has its reason
    under ``errors``; ``status`` is ``"error"`` when any part failed.
    """
    names = {check: name for name, check in CHECKS.items()}
    states: dict[str, str] = {}
    errors: dict[str, str] = {}
    for result in results:
        name = names[type(result.check)]
        if result.error:
            states[name] = "error"
            errors[name] = str(result.error)
        elif isinstance(result.check, Broker):
            states[name] = result.check.ok_status()
        else:
            states[name] = "ok"
    body: dict = {"status": "error" if errors else "ok", "checks": states}
    if errors:
        body["errors"] = errors
    return body
