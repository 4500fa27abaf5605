"""A test-only URLconf: the site's own URLs plus pages that fail on purpose."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from waffle.models import Sample

from whisper import urls as site_urls

PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<p>A plain page.</p>{% endblock %}'
)


def plain_page(request: HttpRequest) -> HttpResponse:
    """A page in the site's layout that reads nothing from the database."""
    return HttpResponse(PAGE.render(request=request))


def write(request: HttpRequest) -> HttpResponse:
    """Writes a row on POST (any small model will do)."""
    if request.method == "POST":
        Sample.objects.create(name=request.POST.get("name", "written"), percent=1)
        return HttpResponse("written", status=201)
    return HttpResponse("form")


def fail(request: HttpRequest) -> HttpResponse:
    raise ZeroDivisionError("kaboom-ops-test")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not yours")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("tampered")


urlpatterns = [
    path("__ops__/page/", plain_page, name="ops-test-page"),
    path("__ops__/write/", write, name="ops-test-write"),
    path("__ops__/fail/", fail),
    path("__ops__/forbidden/", forbidden),
    path("__ops__/suspicious/", suspicious),
    *site_urls.urlpatterns,
]

handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500
