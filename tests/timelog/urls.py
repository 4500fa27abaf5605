"""A test-only URLconf: views whose queries and caching the timelog tests control."""

from django.contrib.auth import get_user_model
from django.http import HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.decorators.http import etag


def three_queries(request):
    users = get_user_model().objects
    users.count()
    users.filter(is_staff=True).exists()
    list(users.all()[:1])
    return HttpResponse("three")


@cache_page(60)
def cached(request):
    get_user_model().objects.count()
    return HttpResponse("cached")


@etag(lambda request: "v1")
def tagged(request):
    return HttpResponse("tagged")


def boom(request):
    raise RuntimeError("the view failed")


def server_error(request):
    return HttpResponseServerError("server error")


def not_found(request, exception):
    return HttpResponseNotFound("not found")


demo = (
    [
        path("three/", three_queries, name="three"),
        path("cached/", cached, name="cached"),
        path("tagged/", tagged, name="tagged"),
        path("boom/", boom, name="boom"),
    ],
    "demo",
)

urlpatterns = [path("demo/", include(demo))]
handler404 = not_found
handler500 = server_error
