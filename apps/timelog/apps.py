from django.apps import AppConfig


class TimelogConfig(AppConfig):
    name = "apps.timelog"
    label = "timelog"
