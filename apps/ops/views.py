"""TODO: placeholder views; replaced by the real ones."""

from django.http import Http404


def health(request, *args, **kwargs):
    raise Http404("not built yet")


def bad_request(request, *args, **kwargs):
    raise Http404("not built yet")


def permission_denied(request, *args, **kwargs):
    raise Http404("not built yet")


def page_not_found(request, *args, **kwargs):
    raise Http404("not built yet")


def server_error(request, *args, **kwargs):
    raise Http404("not built yet")
