"""TODO: placeholder views; replaced by the real ones."""

from django.http import Http404


def mine(request, *args, **kwargs):
    raise Http404("not built yet")


def create(request, *args, **kwargs):
    raise Http404("not built yet")


def dashboard(request, *args, **kwargs):
    raise Http404("not built yet")


def edit(request, *args, **kwargs):
    raise Http404("not built yet")


def export_csv(request, *args, **kwargs):
    raise Http404("not built yet")


def toggle_thanked(request, *args, **kwargs):
    raise Http404("not built yet")
