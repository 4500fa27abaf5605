"""The benchmark's URLconf (whisper.settings.bench only): the site plus /bench/floor/ and /bench/sleep/."""

from django.urls import include, path

from apps.core import bench_views
from whisper.urls import handler400, handler403, handler404, handler500

urlpatterns = [
    path("bench/floor/", bench_views.floor, name="bench-floor"),
    path("bench/sleep/", bench_views.sleep, name="bench-sleep"),
    path("", include("whisper.urls")),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
