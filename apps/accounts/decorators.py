"""Access decorators for couples' pages."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def verified_required(view):
    """Logged in, with a verified email address; otherwise say why and where to go."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.email_verified:
            messages.warning(request, _("Please verify your email address first — we sent you a link."))
            return redirect("accounts:verify_sent")
        return view(request, *args, **kwargs)

    return wrapper
