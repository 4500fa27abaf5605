"""What the importer contributes to the apps below it: the pictures that go with an account,
and the dashboard's bookmarklet.

Registered by ``ImporterConfig.ready()`` (see ``apps.core.hooks``).
"""

from __future__ import annotations

from django.http import HttpRequest

from apps.accounts import hooks as accounts
from apps.registries.hooks import dashboard_panels
from apps.registries.models import Registry

from .models import ImportJob
from .views import bookmarklet


@accounts.account_files.register
def import_pictures(user) -> list[str]:
    """The pictures fetched for imports on the registries ``user`` owns alone."""
    alone = Registry.objects.owned_alone_by(user).values("pk")
    return list(
        ImportJob.objects.filter(registry__in=alone).exclude(image="").values_list("image", flat=True)
    )


@dashboard_panels.register
def bookmarklet_panel(request: HttpRequest, context: dict) -> None:
    """The "Add to Whisper" bookmarklet for the dashboard's importer panel."""
    context["bookmarklet"] = bookmarklet(request, context["registry"])
