from django.urls import path

app_name = "timelog"
urlpatterns: list = []
