from django.urls import path

from . import views

app_name = "timelog"
urlpatterns = [
    path("", views.report, name="report"),
]
