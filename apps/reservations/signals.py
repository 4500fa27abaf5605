"""Keep cached gift cards in step with the ``group_gifts`` feature flag; tell the apps above of a new claim.

:data:`reservation_made` is called by the reservation services in the
reservation's transaction; the apps above register what follows (the
couple's "new reservation" mail, ``apps.notifications``), so this app does
not import them.

The public page caches each gift's card by the item's ``cache_version``, and
a group gift's card shows its progress bar and "Contribute" link only while
the flag is on. When an operator flips the flag, the group gifts' versions
(and their registries') go up, so no cached card offers a page that now
answers 404 — or hides one that is back.
"""

from __future__ import annotations

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from waffle import get_waffle_flag_model

from apps.core.hooks import Hook
from apps.items.models import Item
from apps.ops import flags
from apps.registries.models import Registry

# fn(reservation) -> None, in the reservation's transaction.
reservation_made = Hook("a new reservation")


# Connected when ``ReservationsConfig.ready`` imports this module (the flag model is known by then).
@receiver(post_save, sender=get_waffle_flag_model(), dispatch_uid="reservations.group_gifts_flag")
@receiver(post_delete, sender=get_waffle_flag_model(), dispatch_uid="reservations.group_gifts_flag.delete")
def _group_gifts_flag_changed(sender, instance, **kwargs) -> None:
    if instance.name != flags.GROUP_GIFTS:
        return
    Item.objects.filter(group_gift=True).update(cache_version=F("cache_version") + 1)
    Registry.objects.filter(items__group_gift=True).update(cache_version=F("cache_version") + 1)
