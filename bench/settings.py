"""The loopback stack and the benchmark: production settings over plain HTTP.

``scripts/stack.sh`` runs nginx, gunicorn and celery with these settings
(``STACK_SETTINGS``) and ``bench/run.py`` measures them. They are production's
(DEBUG off, memcached, PostgreSQL, hashed static files, offline compression)
with what loopback needs: a bench-only secret key, no HTTPS, and defaults
pointing at the services of ``scripts/services.sh``. On top come the
benchmark's own tools (``bench.views``): the floor and sleep views
(``bench.urls``), the query-count header, the cache bypass and the timelog
that a request may skip.

Never deploy these: the secret key is public.
"""

import os
from pathlib import Path

_STACK_RUN = Path(
    os.environ.get("STACK_RUN_DIR", str(Path(__file__).resolve().parent.parent / ".run" / "stack"))
)
# Defaults only: scripts/stack.sh exports its own values before Django starts.
for _name, _value in {
    "SECRET_KEY": "bench-only-insecure-key-public-in-the-repository-0123456789",
    "DB_NAME": "whisper_stack",
    "DB_USER": "whisper",
    "DB_HOST": "127.0.0.1",
    "DB_PORT": os.environ.get("PG_PORT", "55432"),
    "MEMCACHED_LOCATION": f"127.0.0.1:{os.environ.get('MEMCACHED_PORT', '51211')}",
    "CACHE_KEY_PREFIX": "stack",
    "CELERY_BROKER_URL": f"redis://127.0.0.1:{os.environ.get('REDIS_PORT', '56379')}/1",
    "STATIC_ROOT": str(_STACK_RUN / "static"),
    "MEDIA_ROOT": str(_STACK_RUN / "media"),
    "TIMELOG_LOG": str(_STACK_RUN / "timelog.log"),
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_HSTS_SECONDS": "0",
    # Nothing leaves the machine (and nothing piles up in memory); the worker
    # still runs every mail task.
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
}.items():
    os.environ.setdefault(_name, _value)

from whisper.settings.production import *  # noqa: E402, F403
from whisper.settings.production import MIDDLEWARE  # noqa: E402

# Plain HTTP on loopback: cookies without the Secure flag, no redirect to https.
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0

# /bench/floor/ and /bench/sleep/ on top of the site's own URLs.
ROOT_URLCONF = "bench.urls"
# Requests may ask how many SQL queries they took (first: it counts
# everything) and skip the cached pages and fragments (registry_cold).
MIDDLEWARE = ["bench.views.QueryCountMiddleware", "bench.views.CacheBypassMiddleware", *MIDDLEWARE]
# The timelog, skipped for requests that say X-Bench-Timelog: off (floor_no_timelog).
MIDDLEWARE[MIDDLEWARE.index("apps.timelog.middleware.TimelogMiddleware")] = (
    "bench.views.SkippableTimelogMiddleware"
)
# One client hammers the reservation form: measure the work, not the limiter.
RATELIMIT_ENABLE = False
