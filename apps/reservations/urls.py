from django.urls import path

from . import views

app_name = "reservations"
urlpatterns = [
    path("r/<slug:slug>/items/<int:pk>/reserve/", views.reserve, name="reserve"),
    path("reservations/<str:token>/", views.manage, name="manage"),
]
