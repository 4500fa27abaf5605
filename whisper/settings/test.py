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
from .base import ANYMAIL, BASE_DIR, CACHES, RUN_DIR

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# pytest-django runs each test inside a transaction that never commits, so
# on_commit callbacks never run: here the outbox hands a mail to the (eager)
# send task as soon as its row is written, and mail.outbox fills at once.
# tests/notifications turn it back on to test the real order (on commit).
OUTBOX_DELIVER_ON_COMMIT = False
ANYMAIL = {
    **ANYMAIL,
    "POSTMARK_SERVER_TOKEN": "test-postmark-server-token",
    "WEBHOOK_SECRET": "postmark:test-webhook-secret",
}
MEDIA_ROOT = RUN_DIR / f"test-media-{os.getpid()}"  # one per run; removed after it
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
# Guests' mails go at once (tests of the coalescing set a delay of their own).
WHISPER_GUEST_MAIL_COALESCE_SECONDS = 0
# Each test run gets its own key prefix so parallel runs do not see each other.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", f"test-{os.getpid()}")
TEST_RUNNER = "django.test.runner.DiscoverRunner"
FIXTURE_DIRS = [BASE_DIR / "tests" / "fixtures"]
# PayPal: the tests' loopback stand-in answers postbacks; a hang is cut short.
PAYPAL_TEST = True
PAYPAL_RECEIVER_EMAIL = "payments@whisper.example"
PAYPAL_POSTBACK_TIMEOUT = 0.5
# The timelog of the whole run (tests of the timelog use their own tmp files).
TIMELOG_LOG = RUN_DIR / "test-timelog.log"
TIMELOG_MAX_BYTES = 5 * 1024 * 1024
TIMELOG_BACKUP_COUNT = 1
# Rate limits far above what any test sends; tests of a limit lower its
# WHISPER_RATE_* with override_settings (tests/security/test_rate_limits.py).
_UNLIMITED = "10000/m"
WHISPER_RATE_RESERVE = WHISPER_RATE_PLEDGE = WHISPER_RATE_PASSPHRASE = _UNLIMITED
WHISPER_RATE_SIGNUP = WHISPER_RATE_SEARCH = WHISPER_RATE_IMPORT = _UNLIMITED
WHISPER_RATE_WRONG_PASSPHRASE = WHISPER_RATE_MAIL = WHISPER_RATE_INVITE = _UNLIMITED
WHISPER_RATE_IMPORT_USER = WHISPER_RATE_OFF_REGISTRY = _UNLIMITED
# Every request reads the registry row (a test that wants the copies turns them on).
WHISPER_REGISTRY_ROW_SECONDS = 0
