"""Settings of the celery worker (and beat) processes the notification tests start.

The test settings, with what a real worker needs: the broker and the test
database of the test run that started it, anymail's Postmark backend pointed
at the loopback stand-in, and short retry delays. Only the environment the
fixtures in ``tests/notifications/conftest.py`` set changes these.
"""

import os

from whisper.settings.test import *  # noqa: F403
from whisper.settings.test import ANYMAIL, CELERY_BEAT_SCHEDULE

CELERY_BROKER_URL = os.environ.get("WORKER_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("WORKER_QUEUE", "default")
EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
ANYMAIL = {
    **ANYMAIL,
    "POSTMARK_API_URL": os.environ.get("WORKER_POSTMARK_API_URL", "http://127.0.0.1:9/"),
    "REQUESTS_TIMEOUT": 30,
}
OUTBOX_DELIVER_ON_COMMIT = True
OUTBOX_RETRY_BASE_SECONDS = int(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "1"))
OUTBOX_STUCK_AFTER_SECONDS = int(os.environ.get("OUTBOX_STUCK_AFTER_SECONDS", "0"))
OUTBOX_SENDING_TIMEOUT_SECONDS = int(os.environ.get("OUTBOX_SENDING_TIMEOUT_SECONDS", "60"))
# Beat's mail jobs every second instead of every few seconds or every minute: a test waits for them.
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    **{
        name: {**CELERY_BEAT_SCHEDULE[name], "schedule": 1.0}
        for name in ["Mail: send what waited", "Mail: retry unsent"]
    },
}
# Logs of the worker: the mail outbox at INFO, so a failing test shows what happened.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
