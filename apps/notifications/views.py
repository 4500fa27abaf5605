"""The couple's notification settings page and the unsubscribe link of every notification."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.accounts.decorators import verified_required
from apps.registries.access import registry_for_owner

from . import outbox, services
from .forms import PreferenceForm
from .models import RegistryPreference

_SAVED = {
    RegistryPreference.OwnerMail.IMMEDIATELY: _("Saved: we'll email you about each new reservation."),
    RegistryPreference.OwnerMail.DIGEST: _("Saved: we'll email you a daily digest of new reservations."),
    RegistryPreference.OwnerMail.OFF: _("Saved: no emails about new reservations."),
}


@verified_required
@require_http_methods(["GET", "HEAD", "POST"])
def registry_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """How the couple hears of new reservations: right away, a daily digest, or never."""
    registry = registry_for_owner(request, slug)
    preference = services.preference_for(registry)
    form = PreferenceForm(request.POST or None, initial={"owner_mail": preference.owner_mail})
    if request.method == "POST" and form.is_valid():
        preference = services.set_owner_mail(registry, form.cleaned_data["owner_mail"])
        messages.success(request, _SAVED[preference.owner_mail])
        return redirect("registries:dashboard", registry.slug)
    return render(request, "notifications/settings.html", {"registry": registry, "form": form})


# Exempt from CSRF: mail apps "one-click" unsubscribe (RFC 8058) with a bare
# POST that carries no CSRF token or cookie. The signed token in the URL is
# the authority here; a forged request would need that token, and all it can
# do is stop notifications to the address the token names.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a confirm button (link scanners must not unsubscribe anyone); POST: unsubscribe."""
    try:
        email = outbox.email_from_token(token)
    except signing.BadSignature:
        response = render(request, "notifications/unsubscribe_invalid.html", status=400)
    else:
        done = request.method == "POST"
        if done:
            services.unsubscribe(email)
        response = render(request, "notifications/unsubscribe.html", {"email": email, "done": done})
        response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
