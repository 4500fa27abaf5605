"""Two owners: invite the partner, accept an invitation, remove an owner.

The rules live in ``apps.registries.invitations``; these views translate.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.decorators import verified_required
from apps.accounts.services import normalize_email
from apps.accounts.tokens import lifetime
from apps.core.ratelimit import over_limit

from .. import invitations
from ..access import noindex, registry_for_owner
from ..forms import InviteForm
from ..models import Registry


def _owners_section(registry: Registry) -> str:
    return reverse("registries:dashboard", args=[registry.slug]) + "#owners"


@verified_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    """Mail an invitation to co-own the registry."""
    registry = registry_for_owner(request, slug)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("%(problem)s Nobody was invited.") % {"problem": form.errors["email"][0]})
        return redirect(_owners_section(registry))
    if over_limit(request, "WHISPER_RATE_INVITE", group="registries.invite", key="user"):
        messages.error(request, _("You have sent several invitations in a short time. Please wait a while."))
        return redirect(_owners_section(registry))
    email = normalize_email(form.cleaned_data["email"])
    try:
        invitations.invite(registry, request.user, email)
    except invitations.InvitationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("We emailed an invitation to %(email)s. The link works for %(lifetime)s.")
            % {"email": email, "lifetime": lifetime()},
        )
    return redirect(_owners_section(registry))


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    """The invitation page: a secret link's page is not indexed and never leaks as a Referer."""
    response = render(request, "registries/invitation.html", context, status=status)
    response["Referrer-Policy"] = "same-origin"
    return noindex(response)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Open an invitation: log in or sign up as the invited address, then accept it (POST)."""
    try:
        registry, email, _version = invitations.read_token(token)
    except invitations.InvalidInvitation as exc:
        return _page(request, {"problem": str(exc)}, status=400)
    context = {"registry": registry, "email": email, "lifetime": lifetime()}
    user = request.user
    if not user.is_authenticated:
        return _page(request, {**context, "state": "anonymous"})
    try:
        registry, email, already = invitations.check(token, user)
    except invitations.WrongAccount as exc:
        return _page(request, {**context, "state": "wrong_account", "problem": str(exc)}, status=403)
    except invitations.InvalidInvitation as exc:
        return _page(request, {"problem": str(exc)}, status=400)
    if already:
        messages.info(request, _("You are already an owner of %(title)s.") % {"title": registry.title})
        return redirect("registries:dashboard", registry.slug)
    if not user.email_verified:
        messages.warning(
            request,
            _("Please verify your email address first — we sent you a link. Then open the invitation again."),
        )
        return redirect("accounts:verify_sent")
    if request.method == "POST":
        try:
            registry, _added = invitations.accept(token, user)
        except invitations.InvitationError as exc:
            return _page(request, {"problem": str(exc)}, status=400)
        messages.success(
            request, _("Welcome! You are now an owner of %(title)s.") % {"title": registry.title}
        )
        return redirect("registries:dashboard", registry.slug)
    return _page(request, {**context, "state": "ready"})


@verified_required
@require_POST
def remove_owner(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """Take an owner's access away (yourself included), never the last owner's."""
    registry = registry_for_owner(request, slug)
    owner = get_object_or_404(registry.owners.all(), pk=user_id)
    try:
        invitations.remove_owner(registry, owner)
    except invitations.InvitationError as exc:
        messages.error(request, str(exc))
        return redirect(_owners_section(registry))
    if owner.pk == request.user.pk:
        messages.success(request, _("You no longer have access to %(title)s.") % {"title": registry.title})
        return redirect("registries:mine")
    messages.success(
        request,
        _("%(name)s no longer has access to %(title)s.")
        % {"name": owner.get_full_name(), "title": registry.title},
    )
    return redirect(_owners_section(registry))
