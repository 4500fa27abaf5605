from django.urls import path

from .views import owner, public

app_name = "registries"
urlpatterns = [
    # The couple's side (login required, owners only).
    path("registries/", owner.mine, name="mine"),
    path("registries/new/", owner.create, name="create"),
    path("registries/<slug:slug>/", owner.dashboard, name="dashboard"),
    path("registries/<slug:slug>/edit/", owner.edit, name="edit"),
    path("registries/<slug:slug>/export.csv", owner.export_csv, name="export"),
    path("registries/<slug:slug>/reservations/<int:pk>/thanked/", owner.toggle_thanked, name="thanked"),
    # The guests' side (no account).
    path("search/", public.search, name="search"),
    path("r/<slug:slug>/", public.registry, name="public"),
    path("r/<slug:slug>/passphrase/", public.passphrase, name="passphrase"),
]
