from django.urls import path

from . import views

app_name = "importer"
urlpatterns = [
    # The web app manifest's share_target (apps.pages.site).
    path("share/", views.share, name="share"),
    path("registries/<slug:slug>/import/", views.start, name="start"),
    path("registries/<slug:slug>/import/<int:pk>/", views.job, name="job"),
]
