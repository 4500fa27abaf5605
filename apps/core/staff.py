"""The one gate of the staff pages (metrics, timelog).

An anonymous visitor is sent to the login page; a logged-in user who is not
staff gets a 403 page saying these pages are for staff (Django's
``staff_member_required`` would send them to the admin's login instead,
which they cannot use).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def staff_only(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_staff:
            return render(request, "ops/staff_only.html", status=403)
        return view(request, *args, **kwargs)

    return staff_only
