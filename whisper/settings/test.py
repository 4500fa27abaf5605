"""Tests: the real services started by scripts/services.sh (make test).

The defaults match the ports scripts/services.sh uses, so a bare ``pytest``
works once ``make services-up`` has run.
"""

import os

os.environ.setdefault("DB_NAME", "whisper")
os.environ.setdefault("DB_USER", "whisper")
os.environ.setdefault("DB_HOST", "127.0.0.1")
os.environ.setdefault("DB_PORT", "55432")
os.environ.setdefault("MEMCACHED_LOCATION", "127.0.0.1:51211")

from .base import *  # noqa: F403
from .base import BASE_DIR, CACHES, RUN_DIR

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = RUN_DIR / "test-media"
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
# Each test run gets its own key prefix so parallel runs do not see each other.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", f"test-{os.getpid()}")
TEST_RUNNER = "django.test.runner.DiscoverRunner"
FIXTURE_DIRS = [BASE_DIR / "tests" / "fixtures"]
