"""TODO: placeholder views; replaced by the real ones."""

from django.http import Http404


def home(request, *args, **kwargs):
    raise Http404("not built yet")


def pricing(request, *args, **kwargs):
    raise Http404("not built yet")


def faq(request, *args, **kwargs):
    raise Http404("not built yet")
