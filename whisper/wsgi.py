"""WSGI entry point for gunicorn: it refuses to start a release that would answer 500 on every page."""

import os

from django.core.wsgi import get_wsgi_application

from apps.ops.checks import require_deployable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whisper.settings.production")

application = get_wsgi_application()
require_deployable()
