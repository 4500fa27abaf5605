from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "apps.ops"
    label = "ops"

    def ready(self) -> None:
        from . import checks, read_only  # noqa: F401 (checks registers the deploy checks)

        read_only.connect()
