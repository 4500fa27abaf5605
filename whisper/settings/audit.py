"""`make audit` (scripts/audit.py): the embedded default as a visitor would get it.

No DEBUG and no toolbar (they slow pages and change headers); the CSS and
JavaScript combined and minified as in production; SQLite under a throwaway
WHISPER_RUN_DIR.
"""

from .dev import *  # noqa: F403
from .dev import INSTALLED_APPS, MIDDLEWARE

DEBUG = False
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "debug_toolbar"]
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("debug_toolbar")]
COMPRESS_ENABLED = True
ROOT_URLCONF = "whisper.audit_urls"
