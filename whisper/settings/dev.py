"""The embedded default (make run): SQLite, local cache, eager tasks, console mail."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, MIDDLEWARE, RUN_DIR

RUN_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
INTERNAL_IPS = ["127.0.0.1"]
PAYPAL_TEST = True  # the embedded default never sends anyone to live PayPal
WHISPER_DEMO_REGISTRY = "alex-and-sam"  # make run loads it (manage.py seed_demo)
# No worker or beat under make run to send a mail later: guests' mails go at once.
WHISPER_GUEST_MAIL_COALESCE_SECONDS = 0
# Nor a daily digest (no beat): the couple's mail of each reservation shows on the console.
WHISPER_OWNER_MAIL_DEFAULT = "immediately"

try:
    import debug_toolbar  # noqa: F401
except ImportError:  # the toolbar is a dev extra; run without it if absent
    pass
else:
    INSTALLED_APPS = [*INSTALLED_APPS, "debug_toolbar"]
    # Right after the session middleware: show_toolbar() reads the session.
    MIDDLEWARE = list(MIDDLEWARE)
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
        "debug_toolbar.middleware.DebugToolbarMiddleware",
    )
    DEBUG_TOOLBAR_CONFIG = {"SHOW_TOOLBAR_CALLBACK": "whisper.settings.dev.show_toolbar"}


def show_toolbar(request) -> bool:
    """The toolbar only on request (?djdt=1 once per session), never in tests."""
    if request.GET.get("djdt") == "1":
        request.session["djdt"] = True
    return bool(request.session.get("djdt")) and request.META.get("REMOTE_ADDR") in INTERNAL_IPS
