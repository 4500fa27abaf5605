"""What the items app contributes to the apps below it: the gifts in an account's export, and
the pictures that go with the account; and each new gift is counted (``apps.metrics``).

Registered by ``ItemsConfig.ready()`` (see ``apps.core.hooks``).
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.accounts import hooks as accounts
from apps.metrics.signals import count_created
from apps.registries.export import RegistryExport, exporting_registries, fields_of
from apps.registries.hooks import ChecklistStep, checklist_steps
from apps.registries.models import Registry

from .models import Item

ITEM_FIELDS = [
    "title",
    "description",
    "price",
    "currency",
    "quantity",
    "unlimited",
    "group_gift",
    "received_elsewhere",
    "store_url",
    "priority",
    "category",
    "note",
    "hidden",
    "position",
    "created_at",
]


@accounts.account_files.register
def item_pictures(user) -> list[str]:
    """The pictures of the gifts on the registries ``user`` owns alone."""
    alone = Registry.objects.owned_alone_by(user).values("pk")
    return list(Item.objects.filter(registry__in=alone).exclude(image="").values_list("image", flat=True))


@exporting_registries.register
def gifts_part(export: RegistryExport) -> None:
    """Each registry's gifts; how many were reserved and pledged unless the spoiler setting hides it."""
    export.tables.append("items")
    for row in export.rows.values():
        row["items"] = []
    registries = {r.pk: r for r in export.registries}
    for item in Item.objects.filter(registry__in=list(registries)):
        registry = registries[item.registry_id]
        entry = fields_of(item, ITEM_FIELDS)
        entry["image"] = item.image.url if item.image else ""
        if registry.view != Registry.Spoilers.NONE:
            entry["reserved_count"] = item.reserved_count
            entry["pledged_total"] = item.pledged_total
        export.rows[registry.pk]["items"].append(entry)
        export.items[item.pk] = (registry, entry)


post_save.connect(count_created("items"), sender=Item, weak=False, dispatch_uid="metrics.items.Item")


@checklist_steps.register
def add_gifts() -> ChecklistStep:
    """The new-registry checklist's first step: a first gift."""
    return ChecklistStep(
        key="gifts",
        label=_("Add your first gifts"),
        done=lambda registry: _has_gift(registry),
        url=lambda registry: reverse("items:add", args=[registry.slug]),
        order=10,
    )


@checklist_steps.register
def add_fund() -> ChecklistStep:
    """A fund (a honeymoon, a first home): what couples are asked for most after gifts."""
    return ChecklistStep(
        key="fund",
        label=_("Add a fund, e.g. for your honeymoon"),
        done=lambda registry: _has_gift(registry, kind=Item.Kind.FUND),
        url=lambda registry: reverse("items:add_fund", args=[registry.slug]),
        order=15,
    )


def _has_gift(registry, **match) -> bool:
    """Whether ``registry`` has a gift (with ``match``, e.g. ``kind="fund"``): one small query, or none
    when its gifts were prefetched (``prefetch_related("items")``, as the dashboard does)."""
    if "items" in getattr(registry, "_prefetched_objects_cache", {}):
        return any(
            all(getattr(item, name) == value for name, value in match.items())
            for item in registry.items.all()
        )
    return Item.objects.filter(registry=registry, **match).exists()
