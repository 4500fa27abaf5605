"""What the apps above ``registries`` contribute to the couple's dashboard.

The dashboard (``views/owner.py``) shows the registry, its gifts and its plan;
the apps above add their panels — the claims and the thank-you list, the
importer's bookmarklet, the mail that did not reach a guest — by registering
here in their ``AppConfig.ready()``, so this app never imports them.
"""

from __future__ import annotations

from apps.core.hooks import Hook

# fn(request, context) -> None: add the app's panel to the dashboard's template context, in place.
# ``context`` holds "registry", "view" (the spoiler setting in force), "items" and "summary".
dashboard_panels = Hook("the dashboard's panels")
