"""What the apps above ``items`` do when the couple takes a gift off their list.

``items`` stands below the claims on its gifts (``apps.reservations``); the
apps that keep claims register here in their ``AppConfig.ready()``, so that
this app never imports them.
"""

from __future__ import annotations

from apps.core.hooks import Hook

# fn(item, *, removed: bool, deleted: bool) -> None, in the caller's transaction, before the gift goes:
# ``removed`` True when the couple deletes (``deleted``) or hides the gift, False when they show it again.
gift_removed = Hook("a gift taken off the list")
