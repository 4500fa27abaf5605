"""Forms for couples' accounts: sign up, log in, reset and change password and address."""

from __future__ import annotations

import logging

from django import forms
from django.contrib.auth import forms as auth_forms
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from apps.core import emails

from . import services
from .models import User

logger = logging.getLogger(__name__)

EMAIL_WIDGET = forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"})


def _clean_new_email(value: str, *, exclude: User | None = None) -> str:
    email = services.normalize_email(value)
    if services.email_in_use(email, exclude=exclude):
        raise forms.ValidationError(services.EmailInUse.message, code=services.EmailInUse.code)
    return email


class SignupForm(auth_forms.BaseUserCreationForm):
    """Name, email and the password twice (checked by Django's validators)."""

    class Meta:
        model = User
        fields = ("name", "email")
        labels = {"name": _("Your name"), "email": _("Email")}
        help_texts = {"email": _("We will send you a link to confirm it.")}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": EMAIL_WIDGET,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["email"].widget.attrs.pop("autofocus", None)
        self.fields["name"].widget.attrs["autofocus"] = True
        self.fields["password2"].label = _("Password again")

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_email(self) -> str:
        return _clean_new_email(self.cleaned_data["email"])


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form, asking for the email address."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": (
            _(
                "That email and password don’t match an account. "
                "Check them and try again, or reset your password."
            )
        ),
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending our own mail through ``apps.core.emails``."""

    email = forms.EmailField(label=_("Email"), max_length=254, widget=EMAIL_WIDGET)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        user = context["user"]
        path = reverse(
            "accounts:password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}
        )
        try:
            with translation.override(user.language):
                emails.send(
                    "password_reset",
                    to_email,
                    {"name": user.get_short_name(), "email": to_email, "reset_url": emails.absolute(path)},
                    language=user.language,
                )
        except Exception:
            # Like Django: a failed send must not tell a stranger the account exists.
            logger.exception("Failed to send the password reset mail to user %s", user.pk)


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password2"].label = _("New password again")


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": _("That is not your current password. Please enter it again."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password2"].label = _("New password again")


def _password_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class _PasswordCheckedForm(forms.Form):
    """A form for ``user`` with a ``password`` field that must be their password.

    Subclasses declare the field (with ``_password_field``, where it belongs
    among theirs) and say what is wrong when it is not (``mismatch_error``).
    """

    mismatch_error: str

    def __init__(self, user: User, *args, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(self.mismatch_error, code="password_incorrect")
        return password


class EmailChangeForm(_PasswordCheckedForm):
    """A new address, and the current password to prove it is really them."""

    email = forms.EmailField(label=_("New email address"), max_length=254, widget=EMAIL_WIDGET)
    password = _password_field(_("Current password"))
    mismatch_error = _("That is not your current password.")

    def clean_email(self) -> str:
        email = services.normalize_email(self.cleaned_data["email"])
        if email == services.normalize_email(self.user.email):
            raise forms.ValidationError(_("That is already your email address."), code="same_email")
        return _clean_new_email(email, exclude=self.user)


class NameForm(forms.ModelForm):
    """The name we greet a couple's partner with."""

    class Meta:
        model = User
        fields = ("name", "language")
        labels = {"name": _("Your name")}
        help_texts = {"language": _("The language of the emails we send you.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["language"].required = False  # left out: the account keeps its language

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or self.instance.language


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    """The admin's "add user" form, for email logins."""

    class Meta:
        model = User
        fields = ("email", "name")

    def clean_email(self) -> str:
        return _clean_new_email(self.cleaned_data["email"])


class AdminUserChangeForm(auth_forms.UserChangeForm):
    """The admin's "change user" form, for email logins."""

    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        return _clean_new_email(self.cleaned_data["email"], exclude=self.instance)


class DeleteAccountForm(_PasswordCheckedForm):
    """The current password, to prove it is really them deleting the account."""

    password = _password_field(_("Your password"))
    mismatch_error = _("That is not your password. Nothing was deleted.")
