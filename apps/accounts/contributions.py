"""What the accounts app contributes to the apps below it: sign-ups and verified accounts, counted.

Connected by ``AccountsConfig.ready()``.
"""

from __future__ import annotations

from django.db.models.signals import post_init, post_save

from apps.metrics.api import count

from .models import User

# Set on each user as it is loaded, to see email_verified turn True on save.
_VERIFIED_ATTR = "_metrics_was_verified"


def _remember_verified(sender, instance, **kwargs) -> None:
    # Read __dict__, not the attribute: a deferred field must not cost a query.
    setattr(instance, _VERIFIED_ATTR, instance.__dict__.get("email_verified"))


def _user_saved(sender, instance, created: bool, update_fields=None, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: not something that happened on the site
        return
    if created:
        count("signups")
    verified = instance.__dict__.get("email_verified")
    if update_fields is not None and "email_verified" not in update_fields:
        return
    was = getattr(instance, _VERIFIED_ATTR, None)
    if verified and (created or was is False):
        count("verified_accounts")
    setattr(instance, _VERIFIED_ATTR, verified)


post_init.connect(_remember_verified, sender=User, dispatch_uid="metrics.user_init")
post_save.connect(_user_saved, sender=User, dispatch_uid="metrics.user_saved")
