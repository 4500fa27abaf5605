"""The URLs of `make audit` (whisper.settings.audit): the site's, and the media files served
by Django as under DEBUG (Lighthouse must see the pictures that nginx would serve)."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from .urls import urlpatterns as site

urlpatterns = [*site, re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
