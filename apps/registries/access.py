"""Who may see a registry: its owners, and guests past its gate.

The one access layer every app uses (healthchecks' ``_get_project_for_user``):
the owner lookup, the passphrase gate and the header of pages not to index.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlencode

from apps.core.locale import reader_language

from .models import Registry

SESSION_KEY = "registries.unlocked"  # {registry pk: fingerprint of its passphrase}


def registry_for_owner(request: HttpRequest, slug: str) -> Registry:
    """The registry at ``slug`` if the user owns it; 404 for everyone else (a stranger learns nothing)."""
    return get_object_or_404(Registry.objects.owned_by(request.user), slug=slug)


def is_owner(request: HttpRequest, registry: Registry) -> bool:
    """Whether the visitor is one of the registry's couple (one query when logged in)."""
    user = request.user
    return user.is_authenticated and registry.owners.filter(pk=user.pk).exists()


def _fingerprint(registry: Registry) -> str:
    return salted_hmac("registries.passphrase", registry.passphrase_hash).hexdigest()[:20]


def unlocked_in_session(request: HttpRequest, registry: Registry) -> bool:
    """Whether this browser session gave ``registry``'s current passphrase."""
    remembered = request.session.get(SESSION_KEY, {}).get(str(registry.pk), "")
    return constant_time_compare(remembered, _fingerprint(registry))


def remember_unlocked(request: HttpRequest, registry: Registry) -> None:
    """Let this browser session past ``registry``'s gate (until the passphrase changes)."""
    unlocked = dict(request.session.get(SESSION_KEY, {}))
    unlocked[str(registry.pk)] = _fingerprint(registry)
    request.session[SESSION_KEY] = unlocked
    if not request.user.is_authenticated:
        # A guest's session ends with the browser session (a couple's login keeps its own expiry).
        request.session.set_expiry(0)


def gate(request: HttpRequest, registry: Registry, owner: bool | None = None) -> HttpResponse | None:
    """A redirect to the passphrase page if the visitor may not see ``registry`` yet, else None.

    ``owner`` saves a query when the caller already knows whether the visitor owns it.
    """
    if not registry.is_protected or unlocked_in_session(request, registry):
        return None
    if owner is None:
        owner = is_owner(request, registry)
    if owner:
        return None
    url = reverse("registries:passphrase", args=[registry.slug])
    return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


def speak_registry_language(request: HttpRequest, registry: Registry) -> None:
    """On ``registry``'s pages, speak its language to a reader who asked for none of ours."""
    # (apps.core.locale.LocaleMiddleware found it already, on every request through the site.)
    own = request.reader_language if hasattr(request, "reader_language") else reader_language(request)
    if own is None and registry.language != translation.get_language():
        translation.activate(registry.language)
        request.LANGUAGE_CODE = translation.get_language()


def noindex(response: HttpResponse) -> HttpResponse:
    """Ask search engines not to index ``response`` (the page says so in a meta tag too)."""
    response["X-Robots-Tag"] = "noindex"
    return response
