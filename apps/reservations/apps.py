from django.apps import AppConfig


class ReservationsConfig(AppConfig):
    name = "apps.reservations"
    label = "reservations"

    def ready(self) -> None:
        # contributions registers what this app gives below; signals connects its receivers.
        from . import contributions, signals  # noqa: F401
