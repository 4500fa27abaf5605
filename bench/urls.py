"""The benchmark's URLconf (bench.settings only): the site plus /bench/floor/, /bench/bare/ and /bench/sleep/.

/bench/bare/ is the floor's view: ``bench/wsgi.py`` sends it through Django's
default middleware only (a request that reaches it through the site's
middleware carries the site's headers, which ``bench/run.py`` checks).
"""

from django.urls import path

from bench import views as bench_views
from whisper.urls import handler400, handler403, handler404, handler500
from whisper.urls import urlpatterns as site_urlpatterns

# The site's own patterns at the same depth as in production (not nested in
# an include): the pages resolve here exactly as they do without the benchmark.
urlpatterns = [
    path("bench/floor/", bench_views.floor, name="bench-floor"),
    path("bench/bare/", bench_views.floor, name="bench-bare"),
    path("bench/sleep/", bench_views.sleep, name="bench-sleep"),
    *site_urlpatterns,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
