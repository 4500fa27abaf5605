from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "apps.importer"
    label = "importer"

    def ready(self) -> None:
        from . import contributions  # noqa: F401 (registers what this app contributes to the ones below)
