"""The WSGI app gunicorn loads on the benchmark's stack (``scripts/stack.sh`` with bench.settings).

The site exactly as ``whisper/wsgi.py`` boots it (its deploy check
included), except ``/bench/bare/``: the floor's view through Django's
default middleware only (``bench.views.bare_handler``), in the same
gunicorn workers, so that the ``bare`` row of ``bench/run.py`` measures
what Whisper's own middleware costs against plain Django.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench.views import BareDispatch, bare_handler
from whisper.wsgi import application as site

application = BareDispatch(site, bare_handler())
