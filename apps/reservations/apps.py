from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    name = "apps.reservations"
    label = "reservations"

    def ready(self) -> None:
        from . import contributions, signals  # noqa: F401 (contributions registers what this app gives below)

        signals.connect()
