"""Couples' account pages; the workflows live in ``services``, Django's auth views do the password parts."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from apps.core.ratelimit import limit, over_limit
from apps.core.security import unlock_account

from . import export, forms, services
from .tokens import lifetime

TOO_MANY = gettext_lazy(
    "You have asked for several emails in a short time. Please wait a while and try again."
)


def _too_many(request: HttpRequest, action: str, key="user") -> bool:
    """Count one more mail-sending ``action`` by this person; True once over ``WHISPER_RATE_MAIL``."""
    return over_limit(request, "WHISPER_RATE_MAIL", group=f"accounts.{action}", key=key)


def _refused(request: HttpRequest, action: str) -> bool:
    """Count one more ``action`` by this person; True, with the "too many" message, once over."""
    if _too_many(request, action):
        messages.error(request, TOO_MANY)
        return True
    return False


def _posted_email(group: str, request: HttpRequest) -> str:
    return services.normalize_email(request.POST.get("email", ""))


@limit("WHISPER_RATE_SIGNUP")
@require_http_methods(["GET", "HEAD", "POST"])
def _next_url(request: HttpRequest) -> str:
    """The ``next`` path of the request if it stays on this site, else ""."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(wanted, allowed_hosts=None) and wanted.startswith("/")
    return wanted if safe and not wanted.startswith("//") else ""


def signup(request: HttpRequest) -> HttpResponse:
    """Create an account; ``?email=`` fills in the address, ``?next=`` is where the mailed link leads.

    A partner's invitation links here with both: the invited address, and the
    invitation, which the verification link opens once the address is confirmed.
    """
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    initial = {"email": request.GET.get("email", "")[:254]}
    form = forms.SignupForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            user = services.create_account(
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
                next_url=next_url,
                language=translation.get_language(),
            )
        except services.AccountError as exc:
            form.add_error("email", str(exc))
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("accounts:verify_sent")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
@require_safe
def verify_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/verify_sent.html", {"lifetime": lifetime()})


@login_required
@require_POST
def verify_resend(request: HttpRequest) -> HttpResponse:
    if request.user.email_verified:
        messages.info(request, _("Your email address is already verified."))
        return redirect("accounts:settings")
    if not _refused(request, "verify_resend"):
        services.send_verification(request.user)
        messages.success(request, _("We sent a new link to %(email)s.") % {"email": request.user.email})
    return redirect("accounts:verify_sent")


@require_GET  # not HEAD: opening the link changes the account
def verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        _user, newly_verified = services.verify_email(token)
    except services.InvalidLink as exc:
        return render(
            request,
            "accounts/link_invalid.html",
            {"problem": str(exc), "purpose": "verify"},
            status=400,
        )
    next_url = _next_url(request)
    if newly_verified and next_url:
        messages.success(request, _("Thank you — your email address is verified."))
    elif newly_verified:
        messages.success(
            request, _("Thank you — your email address is verified. Let’s create your registry!")
        )
    else:
        messages.info(request, _("Your email address was already verified."))
    return redirect(next_url or "registries:create")


class _LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = True


class _LogoutView(auth_views.LogoutView):
    """POST only (Django's own rule); says goodbye."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.info(request, _("You are logged out. See you soon!"))
        return response


class _PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: forms.PasswordResetForm) -> HttpResponse:
        # Over the limit we quietly send nothing: the page must not tell
        # a stranger whether the address has an account.
        if _too_many(self.request, "password_reset", key=_posted_email):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class _PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: forms.SetPasswordForm) -> HttpResponse:
        # The link in the mail proves the address: a lockout of the account ends now.
        unlock_account(form.user.email)
        return super().form_valid(form)

    def render_to_response(self, context: dict, **kwargs) -> HttpResponse:
        if not self.validlink:
            kwargs.setdefault("status", 400)
        return super().render_to_response(context, **kwargs)


class _PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:settings")
    success_message = gettext_lazy("Your password is changed.")


login = _LoginView.as_view()
logout = _LogoutView.as_view()
password_reset = _PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = _PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change = _PasswordChangeView.as_view()


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    form = forms.NameForm(request.POST if request.method == "POST" else None, instance=request.user)
    if form.is_bound and form.is_valid():
        form.save()
        messages.success(request, _("Your settings are saved."))
        return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"name_form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    form = forms.EmailChangeForm(request.user, request.POST if request.method == "POST" else None)
    if form.is_bound:
        # Counted before the password is checked, so the form cannot be used to guess it.
        if _refused(request, "email_change"):
            return redirect("accounts:email_change")
        if form.is_valid():
            try:
                services.request_email_change(request.user, form.cleaned_data["email"])
            except services.AccountError as exc:
                form.add_error("email", str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Almost done: open the link we sent to %(new)s to switch "
                        "to that address. Until then we keep using %(old)s."
                    )
                    % {"new": form.cleaned_data["email"], "old": request.user.email},
                )
                return redirect("accounts:settings")
    return render(request, "accounts/email_change.html", {"form": form})


@require_GET  # not HEAD: opening the link changes the account
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, changed = services.confirm_email_change(token)
    except (services.InvalidLink, services.AccountError) as exc:
        problem = str(exc)
    else:
        if changed:
            messages.success(request, _("Done — your account now uses %(email)s.") % {"email": user.email})
        else:
            messages.info(request, _("Your account already uses %(email)s.") % {"email": user.email})
        return redirect("accounts:settings")
    return render(
        request, "accounts/link_invalid.html", {"problem": problem, "purpose": "email_change"}, status=400
    )


@login_required
@require_safe
def export_data(request: HttpRequest) -> HttpResponse:
    """Download everything the account holds: a zip of JSON and CSV files."""
    response = HttpResponse(export.build(request.user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(request.user)}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Delete the account for good, after the password; then log out."""
    form = forms.DeleteAccountForm(request.user, request.POST if request.method == "POST" else None)
    if form.is_bound:
        # Counted before the password is checked, so the form cannot be used to guess it.
        if _refused(request, "delete_account"):
            return redirect("accounts:delete")
        if form.is_valid():
            result = services.delete_account(request.user)
            auth_logout(request)
            message = _("Your account and everything in it are deleted.")
            if kept := result.kept_registries:
                message += " " + ngettext(
                    "Your partner keeps the registry you shared (%(registries)s).",
                    "Your partner keeps the registries you shared (%(registries)s).",
                    len(kept),
                ) % {"registries": ", ".join(kept)}
            messages.success(request, message + " " + _("Goodbye!"))
            return redirect("pages:home")
    registries = list(request.user.registries.order_by("created_at").prefetch_related("owners"))
    return render(request, "accounts/delete.html", {"form": form, "registries": registries})
