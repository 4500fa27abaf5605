"""TODO: placeholder views; replaced by the real ones."""

from django.http import Http404


def search(request, *args, **kwargs):
    raise Http404("not built yet")


def registry(request, *args, **kwargs):
    raise Http404("not built yet")


def passphrase(request, *args, **kwargs):
    raise Http404("not built yet")
