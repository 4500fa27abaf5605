from django.urls import path

from . import owner_views, pledge_views, views

app_name = "reservations"
urlpatterns = [
    path("r/<slug:slug>/items/<int:pk>/reserve/", views.reserve, name="reserve"),
    path("reservations/<str:token>/", views.manage, name="manage"),
    # Group gifts: pledges toward the price, each with its own signed manage link.
    path("r/<slug:slug>/items/<int:pk>/contribute/", pledge_views.pledge, name="pledge"),
    path("pledges/<str:token>/", pledge_views.pledge_manage, name="pledge_manage"),
    # "I bought something not on the list."
    path("r/<slug:slug>/bought-elsewhere/", pledge_views.off_registry, name="off_registry"),
    # The couple's thank-you checklist and guest list (on their dashboard).
    path("registries/<slug:slug>/export.csv", owner_views.export_csv, name="export"),
    path("registries/<slug:slug>/reservations/<int:pk>/thanked/", owner_views.toggle_thanked, name="thanked"),
    path(
        "registries/<slug:slug>/pledges/<int:pk>/thanked/", owner_views.pledge_thanked, name="pledge_thanked"
    ),
    path("registries/<slug:slug>/elsewhere/<int:pk>/thanked/", owner_views.gift_thanked, name="gift_thanked"),
]
