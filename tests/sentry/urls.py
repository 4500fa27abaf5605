"""A test-only URLconf with a view that fails, for the Sentry tests."""

from django.http import HttpResponseServerError
from django.urls import path


class ReservationFailed(Exception):
    pass


def fail(request):
    guest = request.POST.get("email", "nobody@example.com")
    raise ReservationFailed(f"could not reserve the teapot for {guest}")


def server_error(request):
    return HttpResponseServerError("server error")


urlpatterns = [path("fail/", fail, name="fail")]
handler500 = server_error
