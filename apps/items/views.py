"""TODO: placeholder views; replaced by the real ones."""

from django.http import Http404


def add(request, *args, **kwargs):
    raise Http404("not built yet")


def reorder(request, *args, **kwargs):
    raise Http404("not built yet")


def edit(request, *args, **kwargs):
    raise Http404("not built yet")


def delete(request, *args, **kwargs):
    raise Http404("not built yet")


def toggle_hidden(request, *args, **kwargs):
    raise Http404("not built yet")


def move(request, *args, **kwargs):
    raise Http404("not built yet")
