"""Workflows on a couple's registry: create it, change it.

Each public function runs in one transaction. Views, admin actions and the
demo-data command call these rather than saving registries themselves, so
every change bumps ``cache_version`` and the public page never goes stale,
and the registry's plan is asked before a paid feature (a cover photo) is used.
"""

from __future__ import annotations

import datetime
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from apps.core import thumbnails
from apps.core.errors import ServiceError

from . import plans
from .models import RESERVED_SLUGS, OwnerVisit, Registry

# Room for a "-123" suffix within the 60 characters of Registry.slug.
_NAME_SLUG_LENGTH = 24
_AUTO_SLUG_ATTEMPTS = 5


class SlugTaken(ServiceError):
    """Another registry took the address between the form check and the save."""

    code = "slug_taken"
    message = _("Another registry just took that address — please choose another.")


def base_slug(partner_one: str, partner_two: str) -> str:
    """The address suggested by the couple's names (not checked for uniqueness).

    >>> base_slug("Alex", "Sam")
    'alex-and-sam'
    >>> base_slug("Zoë ", "José María")
    'zoe-and-jose-maria'
    >>> base_slug("Admin", "")
    'admin-registry'
    >>> base_slug("李", "王")
    'registry'
    """
    parts = [_name_slug(partner_one), _name_slug(partner_two)]
    slug = "-and-".join(part for part in parts if part) or "registry"
    if slug in RESERVED_SLUGS:
        slug = f"{slug}-registry"
    return slug


def _name_slug(name: str) -> str:
    # slugify keeps underscores, which our slug format does not allow.
    return re.sub(r"[^a-z0-9]+", "-", slugify(name))[:_NAME_SLUG_LENGTH].strip("-")


def _ensure_plan_allows_cover(registry: Registry) -> None:
    """Raise ``plans.PlanLimitReached`` if a cover photo was just uploaded and the plan lacks it.

    Checked before the row is saved: saving is what stores the file.
    A cover already stored stays, whatever the plan is now.
    """
    cover = registry.cover_photo
    if cover and not cover._committed:  # a new upload, not stored yet
        plans.ensure_allows(registry, "cover_photo")


def unique_slug(base: str, exclude_pk: int | None = None) -> str:
    """``base``, or ``base-2``, ``base-3``… — the first one no other registry uses."""
    taken = set(
        Registry.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken or slug in RESERVED_SLUGS:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_registry(registry: Registry, *, owner, passphrase: str = "") -> Registry:
    """Save a new ``registry`` (unsaved instance) with ``owner`` as its first owner.

    A blank slug is filled from the couple's names and made unique; a
    passphrase, when given, is stored hashed. Raises ``SlugTaken`` when the
    chosen address was taken meanwhile, and ``plans.PlanLimitReached`` (saving
    nothing) for a cover photo: a new registry is on Free until it is upgraded.
    """
    auto_slug = not registry.slug
    _ensure_plan_allows_cover(registry)
    if passphrase:
        registry.set_passphrase(passphrase)
    with transaction.atomic():
        for attempt in range(_AUTO_SLUG_ATTEMPTS):
            if auto_slug:
                registry.slug = unique_slug(base_slug(registry.partner_one, registry.partner_two))
            try:
                with transaction.atomic():
                    registry.save()
                break
            except IntegrityError as exc:
                # Only the slug is unique; someone else just took it.
                if not auto_slug or attempt == _AUTO_SLUG_ATTEMPTS - 1:
                    raise SlugTaken(slug=registry.slug) from exc
        registry.owners.add(owner)
    return registry


def update_registry(registry: Registry, *, passphrase: str = "") -> Registry:
    """Save the couple's changes to ``registry`` and bump its cache version.

    A new passphrase replaces the old one; an empty one keeps it. Raises
    ``SlugTaken`` when the new address was taken meanwhile, and
    ``plans.PlanLimitReached`` (saving nothing) when a new cover photo is
    uploaded and the registry's plan does not include one.
    """
    # Everything the couple edits, but never cache_version (nor owners_version): other requests
    # bump it concurrently and a stale value must not be written back.
    fields = [
        f.name
        for f in Registry._meta.concrete_fields
        if f.name not in {"id", "cache_version", "owners_version", "created_at"}
    ]
    with transaction.atomic():
        _ensure_plan_allows_cover(registry)
        if passphrase:
            registry.set_passphrase(passphrase)
        # A new cover photo: its thumbnails, in the worker.
        thumbnails.make_thumbnails_on_commit(registry, "cover_photo", "cover")
        try:
            with transaction.atomic():
                registry.save(update_fields=fields)
        except IntegrityError as exc:
            raise SlugTaken(slug=registry.slug) from exc
        registry.bump_version()
    registry.refresh_from_db(fields=["cache_version"])
    return registry


def record_visit(registry: Registry, user) -> datetime.datetime | None:
    """Note that ``user`` opened the dashboard of ``registry`` now; when they last did before (or None).

    Read, then moved on to now: two statements, no lock and no transaction
    (one page load in every dashboard's budget). Two tabs opened at once
    both show what came in since the visit before them, and both leave
    "now"; the first visit's row is made once (its unique constraint decides).
    """
    now = timezone.now()
    visits = OwnerVisit.objects.filter(registry=registry, user=user)
    previous = visits.values_list("seen_at", flat=True).first()
    if previous is None:
        OwnerVisit.objects.get_or_create(registry=registry, user=user, defaults={"seen_at": now})
    else:
        visits.update(seen_at=now)
    return previous


@transaction.atomic
def mark_shared(registry: Registry) -> None:
    """The couple copied their link or opened the share card: the checklist's "share" step is done."""
    Registry.objects.filter(pk=registry.pk, shared_at__isnull=True).update(shared_at=timezone.now())


@transaction.atomic
def dismiss_checklist(registry: Registry) -> None:
    """Put the new-registry checklist away for good."""
    Registry.objects.filter(pk=registry.pk).update(checklist_dismissed=True)
