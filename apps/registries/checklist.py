"""The new-registry checklist on the dashboard: what a couple does before sharing their page.

Each app contributes its steps through ``hooks.checklist_steps`` (gifts from
``apps.items``; the cover and sharing the link from here; a fund and the
shipping address from the apps that own them). The checklist ticks itself
from the registry's state, is dismissible, and is gone once every step is done.

A step is one registration in the owning app's ``contributions.py``, e.g.::

    checklist_steps.register(lambda: ChecklistStep(
        "fund", _("Add a fund"), lambda r: r.items.filter(kind="fund").exists(),
        lambda r: reverse("items:add", args=[r.slug]) + "?kind=fund", order=30))
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .hooks import ChecklistStep, checklist_steps


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    url: str
    done: bool


def steps_for(registry) -> list[Step] | None:
    """The steps for ``registry`` in order, ticked or not; None once every one is done."""
    steps = sorted(checklist_steps(), key=lambda step: step.order)
    ticked = [Step(s.key, str(s.label), s.url(registry), bool(s.done(registry))) for s in steps]
    if not ticked or all(step.done for step in ticked):
        return None
    return ticked


@checklist_steps.register
def cover() -> ChecklistStep:
    return ChecklistStep(
        key="cover",
        label=_("Choose a cover photo or a designed header"),
        done=lambda registry: bool(registry.cover_photo or registry.header),
        url=lambda registry: reverse("registries:edit", args=[registry.slug]) + "#id_header",
        order=20,
    )


@checklist_steps.register
def shipping() -> ChecklistStep:
    return ChecklistStep(
        key="shipping",
        label=_("Tell guests where gifts go"),
        done=lambda registry: bool(registry.shipping),
        url=lambda registry: reverse("registries:edit", args=[registry.slug]) + "#id_shipping",
        order=30,
    )


@checklist_steps.register
def share() -> ChecklistStep:
    return ChecklistStep(
        key="share",
        label=_("Share your link with your guests"),
        done=lambda registry: registry.shared_at is not None,
        url=lambda registry: reverse("registries:dashboard", args=[registry.slug]) + "#share",
        order=90,
    )
