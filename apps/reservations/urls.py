from django.urls import include, path

from . import owner_views, views

app_name = "reservations"
owner_patterns = [
    path("export.csv", owner_views.export_csv, name="export"),
    path("thank-yous/", owner_views.thank_yous, name="thank_yous"),
    path("thank-yous/guest/", owner_views.guest_thanked, name="guest_thanked"),
    path("reservations/<int:pk>/thanked/", owner_views.thanked, {"kind": "reservation"}, name="thanked"),
    path("pledges/<int:pk>/thanked/", owner_views.thanked, {"kind": "pledge"}, name="pledge_thanked"),
    path("contributions/", owner_views.contributions, name="contributions"),
    path("pledges/<int:pk>/received/", owner_views.received, name="pledge_received"),
    path("elsewhere/<int:pk>/thanked/", owner_views.thanked, {"kind": "gift"}, name="gift_thanked"),
]
urlpatterns = [
    path("r/<slug:slug>/items/<int:pk>/reserve/", views.reserve, name="reserve"),
    path("r/<slug:slug>/items/<int:pk>/contribute/", views.pledge, name="pledge"),
    # One manage page for every kind of claim; each kind keeps its address (and signing salt).
    path("reservations/<str:token>/", views.manage, {"kind": "reservation"}, name="manage"),
    path("pledges/<str:token>/", views.manage, {"kind": "pledge"}, name="pledge_manage"),
    # "This wasn't me", from the guest's mails (a token of its own, not the manage link).
    path("reservations/<str:token>/not-me/", views.not_me, {"kind": "reservation"}, name="manage_not_me"),
    path("pledges/<str:token>/not-me/", views.not_me, {"kind": "pledge"}, name="pledge_manage_not_me"),
    # "I bought something not on the list."
    path("r/<slug:slug>/bought-elsewhere/", views.off_registry, name="off_registry"),
    # The couple's thank-you checklist and guest list (on their dashboard).
    path("registries/<slug:slug>/", include(owner_patterns)),
]
