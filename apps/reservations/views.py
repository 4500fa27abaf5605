"""TODO: placeholder views; replaced by the real ones."""

from django.http import Http404


def reserve(request, *args, **kwargs):
    raise Http404("not built yet")


def manage(request, *args, **kwargs):
    raise Http404("not built yet")
