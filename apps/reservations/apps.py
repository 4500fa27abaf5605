from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    name = "apps.reservations"
    label = "reservations"

    def ready(self) -> None:
        from . import signals

        signals.connect()
