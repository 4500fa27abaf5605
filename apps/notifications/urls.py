"""The couple's notification settings, unsubscribe links, and Postmark's tracking webhook."""

from django.urls import path

from . import views
from .webhooks import PostmarkTrackingWebhook

app_name = "notifications"
urlpatterns = [
    path("registries/<slug:slug>/notifications/", views.registry_settings, name="settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # Where anymail.urls would put it, with our 403 for a wrong secret.
    path("anymail/postmark/tracking/", PostmarkTrackingWebhook.as_view(), name="postmark_tracking"),
]
