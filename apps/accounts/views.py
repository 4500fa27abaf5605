"""TODO: placeholder views; replaced by the real ones."""

from django.http import Http404


def signup(request, *args, **kwargs):
    raise Http404("not built yet")


def verify_sent(request, *args, **kwargs):
    raise Http404("not built yet")


def verify_resend(request, *args, **kwargs):
    raise Http404("not built yet")


def verify(request, *args, **kwargs):
    raise Http404("not built yet")


def login(request, *args, **kwargs):
    raise Http404("not built yet")


def logout(request, *args, **kwargs):
    raise Http404("not built yet")


def password_reset(request, *args, **kwargs):
    raise Http404("not built yet")


def password_reset_done(request, *args, **kwargs):
    raise Http404("not built yet")


def password_reset_confirm(request, *args, **kwargs):
    raise Http404("not built yet")


def password_reset_complete(request, *args, **kwargs):
    raise Http404("not built yet")


def account_settings(request, *args, **kwargs):
    raise Http404("not built yet")


def password_change(request, *args, **kwargs):
    raise Http404("not built yet")


def email_change(request, *args, **kwargs):
    raise Http404("not built yet")


def email_change_confirm(request, *args, **kwargs):
    raise Http404("not built yet")
