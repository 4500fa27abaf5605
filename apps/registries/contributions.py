"""What the registries app contributes: an account's registries go with it (the delivery address
with them), each new registry is counted (``apps.metrics``), and the dashboard's sharing panel.

Registered by ``RegistriesConfig.ready()`` (see ``apps.core.hooks``).
"""

from __future__ import annotations

from django.db.models.signals import post_save

from apps.accounts import hooks as accounts
from apps.metrics.signals import count_created

from . import (
    checklist,  # noqa: F401 (registers the cover and share steps)
    sharing,
)
from .hooks import dashboard_panels
from .models import Registry


@dashboard_panels.register
def share_panel(request, context: dict) -> None:
    """The registry's address to copy, its share card and QR code, and where gifts go (no query)."""
    context["share_url"] = sharing.public_url(context["registry"])
    context.setdefault("panels", []).append("registries/_share_panel.html")


@accounts.account_files.register
def cover_photos(user) -> list[str]:
    """The cover photos of the registries ``user`` owns alone."""
    return [r.cover_photo.name for r in Registry.objects.owned_alone_by(user) if r.cover_photo]


@accounts.deleting_account.register
def delete_registries(user) -> dict[str, list[str]]:
    """Delete the registries ``user`` owns alone (and everything on them); keep the shared ones."""
    registries = list(Registry.objects.with_owner_count(user))
    alone = [r for r in registries if r.owner_count == 1]
    Registry.objects.filter(pk__in=[r.pk for r in alone]).delete()
    return {
        "deleted_registries": [r.slug for r in alone],
        "kept_registries": [r.slug for r in registries if r.owner_count > 1],
    }


post_save.connect(
    count_created("registries"), sender=Registry, weak=False, dispatch_uid="metrics.registries.Registry"
)
