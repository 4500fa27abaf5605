from django.apps import AppConfig


class ItemsConfig(AppConfig):
    name = "apps.items"
    label = "items"

    def ready(self) -> None:
        from . import contributions  # noqa: F401 (registers what this app contributes to the ones below)
