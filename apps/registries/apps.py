from django.apps import AppConfig


class RegistriesConfig(AppConfig):
    name = "apps.registries"
    label = "registries"

    def ready(self) -> None:
        from . import contributions, export  # noqa: F401 (register what this app contributes to the ones below)
