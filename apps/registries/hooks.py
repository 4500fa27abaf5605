"""What the apps above ``registries`` contribute to the couple's dashboard.

The dashboard (``views/owner.py``) shows the registry, its gifts and its plan;
the apps above add their panels — the claims and the thank-you list, the
importer's bookmarklet, the mail that did not reach a guest — by registering
here in their ``AppConfig.ready()``, so this app never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apps.core.hooks import Hook

# fn(request, context) -> None: add the app's panel to the dashboard's template context, in place.
# ``context`` holds "registry", "view" (the spoiler setting in force), "items" and "summary".
# A panel with markup of its own appends its template's name to ``context["panels"]``: the
# dashboard includes each, in order, after its "share your page" panel (on a phone: after
# what is new, the gifts and the claims).
dashboard_panels = Hook("the dashboard's panels")

# fn(request, context) -> None: called once the dashboard has chosen the claims it lists
# (``context["shown_reservations"]``, ``context["shown_pledges"]``: the newest few, or all, or one
# gift's), for what only a listed claim shows (why its guest gets no mail). Not the whole list:
# with 200 claims, 25 are listed.
dashboard_claims_listed = Hook("the dashboard's listed claims")


@dataclass(frozen=True)
class ChecklistStep:
    """One step of the new-registry checklist on the dashboard.

    ``done(registry)`` says whether the couple did it (at most one small query);
    ``url(registry)`` is where they do it. ``order`` places it among the others.
    """

    key: str
    label: str
    done: Callable[[Any], bool]
    url: Callable[[Any], str]
    order: int = 50


# fn() -> ChecklistStep: each app adds the steps of a new registry it knows how to tick
# (gifts, a cover, a fund, the shipping address, sharing the link). Registered with
# ``checklist_steps.register(lambda: ChecklistStep(...))`` in the app's contributions.
checklist_steps = Hook("the new-registry checklist's steps")
