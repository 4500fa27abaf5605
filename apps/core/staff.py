"""The one gate of the staff pages (metrics, timelog).

An anonymous visitor is sent to the login page; a logged-in user who is not
staff gets the friendly 403 page (Django's ``staff_member_required`` would
send them to the admin's login instead, which they cannot use).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def staff_only(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return staff_only
