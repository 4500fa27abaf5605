"""Root URLconf: it only includes the apps' own URLconfs."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import JavaScriptCatalog, set_language

urlpatterns = [
    # First: it holds the guests' registry page, by far the busiest URL.
    path("", include("apps.registries.urls")),
    path("", include("apps.pages.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("", include("apps.items.urls")),
    path("", include("apps.importer.urls")),
    path("", include("apps.reservations.urls")),
    path("", include("apps.ops.urls")),
    path("", include("apps.payments.urls")),
    # Notification settings, unsubscribe links, Postmark's webhook at /anymail/postmark/tracking/.
    path("", include("apps.notifications.urls")),
    # The footer's language chooser. Without CSRF protection: it is on the
    # registry page every guest shares (no per-visitor token there), and all
    # a forged post can do is switch a visitor's language, which they see.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # The few words of our JavaScript, as gettext() (djangojs catalog).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("staff/timelog/", include("apps.timelog.urls")),
    path("staff/metrics/", include("apps.metrics.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
    if "debug_toolbar" in settings.INSTALLED_APPS:
        urlpatterns.append(path("__debug__/", include("debug_toolbar.urls")))

handler400 = "apps.ops.views.bad_request"
handler403 = "apps.ops.views.permission_denied"
handler404 = "apps.ops.views.page_not_found"
handler500 = "apps.ops.views.server_error"
