"""The real URLconf plus one page behind ``verified_required``, for its tests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from apps.accounts.decorators import verified_required
from whisper.urls import urlpatterns as site_urlpatterns


@verified_required
def protected(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the couple's page")


urlpatterns = [path("test-only/protected/", protected, name="protected"), *site_urlpatterns]
