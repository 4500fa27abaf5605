from django.urls import path

from . import views

app_name = "importer"
urlpatterns = [
    path("registries/<slug:slug>/import/", views.start, name="start"),
    path("registries/<slug:slug>/import/<int:pk>/", views.job, name="job"),
]
